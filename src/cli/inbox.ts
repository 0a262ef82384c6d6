/**
 * `taskwire inbox`: the webhook deliveries taskwire stored before it acknowledged them — what waits to be
 * processed, what is retried, the dead letters — and replaying a dead one.
 */
import { UsageError } from '../errors.js';
import { openStore } from '../main.js';
import type { InboxRow, InboxStatus } from '../store/inbox.js';
import type { CommandContext } from './context.js';

export async function inboxCommand(ctx: CommandContext, opts: { dead?: boolean; replay?: string; json?: boolean }): Promise<number> {
  const store = await openStore(ctx.config, ctx.io.cwd);
  try {
    if (opts.replay !== undefined) {
      const id = Number(opts.replay);
      if (!Number.isInteger(id)) throw new UsageError('--replay takes an inbox id (see taskwire inbox --dead)');
      if (!(await store.inbox.replay(id))) throw new UsageError(`inbox #${id} is not a dead delivery with its body kept (nothing to replay)`);
      ctx.io.out(`#${id} queued again; the daemon processes it within seconds\n`);
      return 0;
    }
    const status: InboxStatus[] | undefined = opts.dead ? ['dead'] : undefined;
    const rows = await store.inbox.list(status ? { status } : { limit: 200 });
    if (opts.json) ctx.io.out(`${JSON.stringify(rows.map(({ body, ...r }) => ({ ...r, bytes: body?.length ?? null })), null, 2)}\n`);
    else if (rows.length === 0) ctx.io.out(opts.dead ? 'no dead letters\n' : 'the inbox is empty\n');
    else {
      const d = await store.inbox.depth();
      ctx.io.out(`${d.waiting} waiting to be processed${d.waiting ? ` (oldest ${Math.round(d.oldestAgeSeconds)} s)` : ''}, ${d.dead} dead${opts.dead ? '' : '; newest first'}:\n`);
      for (const r of rows) ctx.io.out(`${line(r)}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

function line(r: InboxRow): string {
  const when = r.receivedAt.slice(0, 19).replace('T', ' ');
  const why = r.status === 'ignored' ? r.detail : r.lastError;
  return `#${r.id} ${r.status.padEnd(9)} ${r.connector} ${r.deliveryId} received ${when} UTC, ${r.attempts} attempt(s)${why ? ` — ${why}` : ''}`;
}
