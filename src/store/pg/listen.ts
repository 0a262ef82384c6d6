/**
 * LISTEN on a connection of its own (not the pool's): the inbox, outbox, changed and touched channels of
 * this schema. A lost connection (a restart, pg_terminate_backend) is reconnected with backoff, and the
 * listener is told `reconnected` after every (re)connection so it scans for what it missed; polling
 * on a timer stays as the fallback.
 */
import pg from 'pg';
import { HOLDER } from '../claims.js';
import type { StoreChannel } from '../store.js';
import { channelOf, quoteSchema, type PgOptions } from './db.js';

export function listenFor(opts: PgOptions, on: (channel: StoreChannel, payload: string) => void): { close(): Promise<void> } {
  const schema = opts.schema ?? 'public';
  const names = new Map<string, StoreChannel>((['inbox', 'outbox', 'changed', 'touched'] as const).map((w) => [channelOf(schema, w), w]));
  let client: pg.Client | null = null;
  let closed = false;
  let delay = 250;

  const connect = async (): Promise<void> => {
    while (!closed) {
      const c = new pg.Client({ connectionString: opts.url, options: `-c search_path=${quoteSchema(schema)}`, application_name: `taskwire ${HOLDER}`.slice(0, 63) });
      c.on('error', () => undefined); // 'end' follows: reconnected there
      try {
        await c.connect();
        c.on('notification', (m) => {
          const channel = names.get(m.channel);
          if (channel) on(channel, m.payload ?? '');
        });
        for (const name of names.keys()) await c.query(`LISTEN "${name}"`);
        c.on('end', () => {
          if (closed) return;
          client = null;
          void connect();
        });
        client = c;
        delay = 250;
        on('reconnected', '');
        return;
      } catch {
        await c.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}
