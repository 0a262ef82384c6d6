/** `taskwire health`: milestone and project health across tools. */
import type { LeaseRecord } from '../store/leases.js';
import type { CommandContext } from './context.js';
import { table } from './io.js';
import { withLiveEvaluation } from './live.js';
import { conflicts } from '../pipeline/notes.js';

export async function healthCommand(ctx: CommandContext, opts: { json?: boolean; asOf?: string }, now: number): Promise<number> {
  return withLiveEvaluation(ctx, now, async ({ engine, store }) => {
    const groups = engine.health();
    if (opts.json || !ctx.io.isTTY) {
      ctx.io.out(`${JSON.stringify(groups, null, opts.json ? 2 : undefined)}\n`);
      return 0;
    }
    // Items whose detail keeps failing: the rest of their scope is captured; these are read again later.
    const failing = opts.asOf === undefined ? await store.itemFailures() : [];
    for (const f of failing) ctx.io.out(`${f.connector}: ${f.key} could not be read (${f.attempts} time${f.attempts === 1 ? '' : 's'} since ${f.firstFailedAt.slice(0, 16).replace('T', ' ')} UTC; next try ${f.nextAttemptAt.slice(11, 16)} UTC) — ${f.error}\n`);
    if (failing.length > 0) ctx.io.out('\n');
    // Sources that disagree about a task (two GitHub projects with different due dates): said, not picked silently.
    const disagree = opts.asOf === undefined ? await conflicts(store, ctx.config) : [];
    for (const d of disagree) for (const c of d.conflicts) ctx.io.out(`${d.connector}: ${d.key} — ${c}\n`);
    if (disagree.length > 0) ctx.io.out('\n');
    // With replicas: which one polls which connector and which one evaluates, since when.
    const leases = opts.asOf === undefined ? (await store.leases.list()).filter((l) => l.live) : [];
    if (leases.length > 0) ctx.io.out(`${describeLeases(leases)}\n`);
    if (groups.length === 0) {
      ctx.io.out('no milestones or projects: tasks carry none yet\n');
      return 0;
    }
    const pct = (n: number) => `${Math.round(n * 100)}%`;
    ctx.io.out(
      table(
        ['STATE', 'KIND', 'NAME', 'OPEN', 'DONE', 'VERIFIED', 'OVERDUE', 'AT RISK', 'BLOCKED', 'FORECAST', 'PLANNED', 'WHY'],
        groups.map((g) => [g.state.replace('_', ' '), g.kind, g.name, String(g.open), pct(g.doneShare), pct(g.verifiedShare), String(g.overdue), String(g.atRisk), String(g.blocked), g.forecastFinish ?? '—', g.plannedFinish ?? '—', g.reasons.join('; ')]),
        { 2: 30 },
      ),
    );
    return 0;
  }, opts.asOf);
}

/** Who holds each lease: `replica-1 (pid 4242)` from a holder id `replica-1:4242:<start ms>`. */
export function describeLeases(leases: readonly LeaseRecord[]): string {
  const who = (holder: string) => {
    const [host, pid] = holder.split(':');
    return pid ? `${host} (pid ${pid})` : holder;
  };
  return table(
    ['LEASE', 'HELD BY', 'SINCE', 'TOKEN'],
    leases.map((l) => [l.name, who(l.holder), `${l.acquiredAt.slice(0, 19).replace('T', ' ')} UTC`, String(l.token)]),
  );
}
