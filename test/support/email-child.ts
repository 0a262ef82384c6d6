/**
 * The email connector in a child process that kills itself (SIGKILL, like `kill -9`) at the worst
 * moment: mid-backfill, right after a page was stored (POLL), or after a reply reached the SMTP server
 * but before the outbox recorded it (DISPATCH).
 */
import pino from 'pino';
import { emailConfigSchema } from '../../connectors/email/config.js';
import { createEmail } from '../../connectors/email/connector.js';
import type { Connector } from '../../connectors/port.js';
import { buildIdentity } from '../../src/core/identity.js';
import { connectorState } from '../../src/main.js';
import { dispatchDue } from '../../src/pipeline/dispatch.js';
import { pollConnector } from '../../src/pipeline/poll.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const env = process.env;
const log = pino({ level: 'silent' });
const store = SqliteStore.open(env['STORE']!);
const config = emailConfigSchema.parse(JSON.parse(env['CONFIG']!));
const email = createEmail(config, { log, timezone: 'UTC', state: connectorState(store, config.name) });
const killAfterPages = Number(env['KILL_AFTER_PAGES'] ?? 0);

if (env['MODE'] === 'poll') {
  let pages = 0;
  const dying: Connector = {
    ...email,
    poll: async function* (cursor, signal) {
      for await (const page of email.poll!(cursor, signal)) {
        yield page;
        // Asked for the next page: the one before is stored (page and cursor in one transaction).
        if (++pages === killAfterPages) process.kill(process.pid, 'SIGKILL');
      }
    },
  };
  await pollConnector(store, dying, buildIdentity({ people: [], teams: [] }), new AbortController().signal);
} else {
  const dying: Connector = {
    ...email,
    write: async (action, opts) => {
      await email.write!(action, opts);
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    },
  };
  await dispatchDue({ store, connectors: new Map([[config.name, dying]]), log }, { leaseMs: 1 });
}
await store.close();
