/**
 * IMAP IDLE on each watched folder (one connection each; IDLE watches the selected folder only): the
 * server tells of new mail (EXISTS) and flag changes as they happen, and taskwire polls at once. A dropped connection is made again with backoff; polling on the
 * interval goes on regardless, so IDLE only makes arrival prompt — nothing depends on it.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../kit/http-policy.js';
import type { ImapClient } from './client.js';
import type { EmailConfig } from './config.js';

export function idleWatch(config: EmailConfig, imap: ImapClient, log: Logger, signal?: AbortSignal): { start(onNews: () => void): Promise<void>; stop(): Promise<void> } {
  const stop = new AbortController();
  const halt = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let loops: Promise<void>[] | null = null;
  const current = new Set<ImapFlow>();

  const once = async (folder: string, onNews: () => void) => {
    // IDLE is re-issued every few minutes (servers drop an IDLE held for 30 minutes, RFC 2177).
    const client = new ImapFlow(imap.options({ maxIdleTime: 5 * 60_000, socketTimeout: 30 * 60_000 }));
    current.add(client);
    client.on('error', (err: Error) => log.debug({ connector: config.name, err: err.message }, 'IMAP IDLE connection error'));
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve())).finally(() => current.delete(client));
    const onHalt = () => client.close();
    halt.addEventListener('abort', onHalt, { once: true });
    closed.finally(() => halt.removeEventListener('abort', onHalt)).catch(() => undefined);
    await client.connect();
    await client.mailboxOpen(folder, { readOnly: true });
    client.on('exists', () => onNews());
    client.on('flags', () => onNews());
    log.debug({ connector: config.name, folder }, 'IMAP IDLE: listening');
    const listen = (async () => {
      while (client.usable && !halt.aborted) await client.idle();
    })();
    await Promise.race([closed, listen]);
  };

  const watch = async (folder: string, onNews: () => void) => {
    for (let attempt = 0; !halt.aborted; attempt++) {
      const began = Date.now();
      try {
        await once(folder, onNews);
      } catch (err) {
        log.debug({ connector: config.name, folder, err: imap.classify(err).message }, 'IMAP IDLE: connection failed; polling carries on');
      }
      if (halt.aborted) break;
      if (Date.now() - began > 60_000) attempt = 0;
      onNews(); // what arrived while the connection was down is read now
      await sleep(backoffMs(attempt, 1_000, 5 * 60_000), [halt]).catch(() => undefined);
    }
  };

  return {
    async start(onNews) {
      if (!config.idle || loops !== null) return;
      loops = config.folders.map((folder) => watch(folder, onNews));
    },
    async stop() {
      stop.abort();
      for (const c of current) c.close();
      await Promise.all(loops ?? []);
    },
  };
}
