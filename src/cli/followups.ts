/**
 * `taskwire plan`, `taskwire outbox` and `taskwire verify`: what taskwire would send (or sent), the dead
 * letters and replaying them, and marking a task verified by hand.
 */
import type { OutboxRow, OutboxStatus } from '../store/outbox.js';
import { UsageError } from '../errors.js';
import { engineFromConfig, loadIdentity, openStore } from '../main.js';
import { planAt } from '../pipeline/followups.js';
import { asOfStore, parseAsOf } from './live.js';
import type { CommandContext } from './context.js';
import { resolveTask } from './task-ref.js';

type Described = Pick<OutboxRow, 'taskId' | 'recipient' | 'action'>;

const DESCRIBE: Record<string, (r: Described) => string> = {
  status_comment: (r) => `status comment on ${r.taskId ?? '?'}`,
  direct_message: (r) => `direct message to ${r.recipient ?? '?'}`,
  triage: (r) => `triage post to ${r.recipient ?? '?'}`,
  escalation: (r) => `escalation to ${r.recipient ?? '?'} about ${r.taskId ?? '?'}`,
  status_push: (r) => `status change of ${r.taskId ?? '?'}`,
  report: (r) => `daily report to ${r.recipient ?? '?'}`,
};

function bodyOf(r: Described): string {
  const a = r.action;
  if (a.type === 'status_comment') return a.body.split('\n').slice(1).join('\n');
  if (a.type === 'direct_message' || a.type === 'channel_post') return a.text;
  if (a.type === 'status_push') return `→ ${a.status}`;
  return JSON.stringify(a);
}

/** Every planned action that is still current (not superseded), readably or as JSON. */
export async function planCommand(ctx: CommandContext, opts: { json?: boolean; asOf?: string }, now: number): Promise<number> {
  if (opts.asOf !== undefined) return planAsOf(ctx, { json: opts.json === true, asOf: opts.asOf }, now);
  const store = await openStore(ctx.config, ctx.io.cwd);
  try {
    const rows = await store.outbox.list({ status: ['planned', 'pending', 'claimed', 'sending'] });
    const leftAlone = (await store.outbox.statusComments()).filter((c) => c.leftAloneAt !== null);
    if (opts.json) {
      ctx.io.out(`${JSON.stringify(rows.map((r) => ({ id: r.id, kind: r.kind, connector: r.connector, taskId: r.taskId, recipient: r.recipient, reason: r.reason, status: r.status, notBefore: r.nextAttemptAt, action: r.action })), null, 2)}\n`);
      return 0;
    }
    const mode = ctx.config.followups.mode;
    // A person's edit wins: comments people took over are listed, never planned again.
    for (const c of leftAlone) ctx.io.out(`status comment on ${c.taskId} left alone since ${c.leftAloneAt!.slice(0, 16).replace('T', ' ')} UTC: ${c.leftAloneWhy ?? 'a person changed it'}\n`);
    if (leftAlone.length > 0) ctx.io.out('\n');
    if (rows.length === 0) {
      ctx.io.out(`nothing planned (${mode} mode). Run taskwire sync to capture and evaluate.\n`);
      return 0;
    }
    ctx.io.out(`${rows.length} follow-up${rows.length === 1 ? '' : 's'} ${mode === 'plan' ? 'taskwire would send (plan mode: nothing is sent until followups.mode is send)' : 'waiting to be sent'}:\n\n`);
    for (const r of rows) {
      ctx.io.out(`#${r.id} ${DESCRIBE[r.kind]?.(r) ?? r.kind} via ${r.connector} — ${r.reason ?? ''}${r.nextAttemptAt > new Date().toISOString() ? ` (not before ${r.nextAttemptAt})` : ''}\n`);
      ctx.io.out(`${indent(bodyOf(r))}\n\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `plan --as-of`: what the planner would have planned that morning — the store rebuilt as it stood then
 * (tasks, evidence, what had been sent, which flags were already open), evaluated and planned in memory.
 * Nothing is written or sent.
 */
async function planAsOf(ctx: CommandContext, opts: { json: boolean; asOf: string }, now: number): Promise<number> {
  const sqlite = await openStore(ctx.config, ctx.io.cwd, () => now);
  try {
    const identity = await loadIdentity(ctx.config, sqlite);
    const at = parseAsOf(opts.asOf, ctx, now);
    const store = await asOfStore(ctx, sqlite, identity, at);
    const engine = engineFromConfig(ctx.config, identity);
    const { actions } = await planAt({ store, engine, config: ctx.config, identity }, at);
    const when = new Date(at).toISOString();
    if (opts.json) {
      ctx.io.out(`${JSON.stringify({ asOf: when, actions: actions.map((a) => ({ kind: a.kind, connector: a.connector, taskId: a.taskId, recipient: a.recipient, reason: a.reason, notBefore: a.notBefore, action: a.action })) }, null, 2)}\n`);
      return 0;
    }
    const mode = ctx.config.followups.mode;
    if (actions.length === 0) {
      ctx.io.out(`as of ${when}: nothing to plan (${mode} mode)\n`);
      return 0;
    }
    ctx.io.out(`as of ${when}, taskwire would have planned ${actions.length} follow-up${actions.length === 1 ? '' : 's'} (${mode} mode; rebuilt from history, nothing written or sent):\n\n`);
    for (const a of actions) {
      ctx.io.out(`${DESCRIBE[a.kind]?.(a) ?? a.kind} via ${a.connector} — ${a.reason}${a.notBefore !== null && a.notBefore > when ? ` (not before ${a.notBefore})` : ''}\n`);
      ctx.io.out(`${indent(bodyOf(a))}\n\n`);
    }
    return 0;
  } finally {
    await sqlite.close();
  }
}

export async function outboxCommand(ctx: CommandContext, opts: { dead?: boolean; replay?: string; json?: boolean }): Promise<number> {
  const store = await openStore(ctx.config, ctx.io.cwd);
  try {
    if (opts.replay !== undefined) {
      const id = Number(opts.replay);
      if (!Number.isInteger(id)) throw new UsageError('--replay takes an outbox id (see taskwire outbox --dead)');
      if (!(await store.outbox.replay(id))) throw new UsageError(`outbox #${id} is not dead, skipped or planned (nothing to replay)`);
      ctx.io.out(`#${id} queued again; the next cycle sends it\n`);
      return 0;
    }
    const status: OutboxStatus[] | undefined = opts.dead ? ['dead'] : undefined;
    const rows = await store.outbox.list(status ? { status } : { limit: 500 });
    if (opts.json) ctx.io.out(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) ctx.io.out(opts.dead ? 'no dead letters\n' : 'the outbox is empty\n');
    else for (const r of rows) ctx.io.out(`#${r.id} ${r.status.padEnd(8)} ${DESCRIBE[r.kind]?.(r) ?? r.kind} via ${r.connector}, ${r.attempts} attempt(s)${r.lastError ? ` — ${r.lastError}` : ''}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

export async function verifyCommand(ctx: CommandContext, ref: string, opts: { by?: string; note?: string }, now: number): Promise<number> {
  const store = await openStore(ctx.config, ctx.io.cwd, () => now);
  try {
    const id = await resolveTask(store, ref);
    if (opts.by !== undefined && !ctx.config.people.some((p) => p.id === opts.by)) throw new UsageError(`--by: no person "${opts.by}" in ${ctx.file}`);
    const t = await store.getTask(id);
    if (t && t.status !== 'done' && t.status !== 'verified') throw new UsageError(`${id} is ${t.status}: only done work can be verified`);
    const ok = await store.verifyTask(id, new Date(now).toISOString(), opts.by ?? null, opts.note ?? 'taskwire verify');
    ctx.io.out(ok ? `${id} verified${opts.by ? ` by ${opts.by}` : ''}\n` : `${id} was already verified\n`);
    return 0;
  } finally {
    await store.close();
  }
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
