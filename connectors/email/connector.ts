/** An email connector instance: IMAP (poll, IDLE), thread settings, SMTP replies, online check. */
import { DEFAULT_PRIORITY_WORDS } from '../kit/text-dates.js';
import type { Connector, ConnectorContext, ConnectorState, OnlineCheck } from '../port.js';
import { ImapClient } from './client.js';
import type { EmailConfig } from './config.js';
import { idleWatch } from './idle.js';
import { pollEmail } from './poll.js';
import type { ThreadSettings } from './thread.js';
import { writeEmail } from './write.js';

export interface EmailConnector extends Connector {
  readonly imap: ImapClient;
  readonly settings: ThreadSettings;
}

export function threadSettings(config: EmailConfig, timezone: string): ThreadSettings {
  const own = [config.user.toLowerCase(), ...(config.smtp?.from ? [config.smtp.from] : [])].filter((a) => a.includes('@'));
  return {
    timezone,
    ownAddresses: new Set(own),
    teamAddresses: new Set([...config.team.addresses, ...config.owner.mailboxes, ...Object.values(config.owner.plusTags)]),
    teamDomains: config.team.domains,
    ownerMailboxes: new Set(config.owner.mailboxes),
    plusTags: Object.fromEntries(Object.entries(config.owner.plusTags).map(([k, v]) => [k.toLowerCase(), v])),
    firstReplier: config.owner.firstReplier,
    capture: { mode: config.capture.mode, senderDomains: config.capture.senderDomains, subject: config.capture.subject !== undefined ? new RegExp(config.capture.subject, 'i') : undefined, flag: config.capture.flag },
    doneWords: config.doneWords,
    verifyWords: config.verifyWords,
    priorityWords: { ...DEFAULT_PRIORITY_WORDS, ...(config.priorityWords ?? {}) },
    acceptanceCriteriaHeading: config.acceptanceCriteriaHeading,
    mailbox: config.user.toLowerCase(),
  };
}

/** Without a store (a test, `check`), state lives in memory. */
function memoryState(): ConnectorState {
  const m = new Map<string, string>();
  return { get: async (k) => m.get(k) ?? null, set: async (k, v) => void m.set(k, v), list: async (p) => [...m].filter(([k]) => k.startsWith(p)) };
}

export function createEmail(config: EmailConfig, context: ConnectorContext): EmailConnector {
  const imap = new ImapClient(config, context.log, context.signal, context.timing);
  const settings = threadSettings(config, context.timezone);
  const state = context.state ?? memoryState();
  const watch = config.idle ? idleWatch(config, imap, context.log, context.signal) : undefined;
  return {
    name: config.name,
    kind: 'email',
    imap,
    settings,
    poll: (cursor, signal) => pollEmail({ config, imap, settings, state, log: context.log, now: Date.now }, cursor, signal),
    ...(watch ? { watch } : {}),
    write: (action, opts) => writeEmail({ config, imap, state, settings }, action, opts),
    checkOnline: () => checkEmail(imap, config),
    stats: () => ({ requests: imap.sessions, rateRemaining: null, rateLimit: null }),
    close: async () => watch?.stop(),
  };
}

async function checkEmail(imap: ImapClient, config: EmailConfig): Promise<OnlineCheck> {
  const ok: string[] = [];
  const problems: string[] = [];
  try {
    await imap.session(async (c) => {
      ok.push(`logged in as ${config.user} at ${imap.where}${c.capabilities.has('IDLE') ? ' (IDLE offered)' : ' (no IDLE: polling only)'}${c.capabilities.has('CONDSTORE') ? ', CONDSTORE' : ''}`);
      const listed = new Set((await c.list()).map((f) => f.path));
      for (const f of [...config.folders, ...(config.writes.acknowledge || config.writes.statusReply ? [config.sentFolder] : [])]) {
        if (listed.has(f)) ok.push(`folder ${f}: present`);
        else problems.push(`folders: ${f} does not exist in the mailbox (folders present: ${[...listed].slice(0, 8).join(', ')})`);
      }
    });
  } catch (err) {
    problems.push((err as Error).message);
  }
  return { ok, problems };
}
