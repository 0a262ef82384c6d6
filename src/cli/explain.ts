/** `taskwire explain <task>`: every flag with its reasons, the ownership, the graph and the risk inputs. */
import { humanDate, humanDateTime } from '../core/calendar.js';
import type { Explanation } from '../core/engine.js';
import { riskInputs, riskLead } from '../core/explain-text.js';
import { isAccountOwner } from '../core/identity.js';
import { UsageError } from '../errors.js';
import type { StatusCommentRecord } from '../store/outbox.js';
import type { CommandContext } from './context.js';
import { withLiveEvaluation } from './live.js';
import { taskNotes } from '../pipeline/notes.js';
import { resolveTask } from './task-ref.js';
import type { TaskNotes } from '../../connectors/port.js';

export async function explainCommand(ctx: CommandContext, ref: string, opts: { json?: boolean; asOf?: string }, now: number): Promise<number> {
  return withLiveEvaluation(ctx, now, async ({ engine, store }) => {
    const ex = engine.explain(await resolveTask(store, ref, (r) => engine.explain(r)?.task.id ?? null));
    if (!ex) throw new UsageError(`no task "${ref}"`);
    const comment = opts.asOf === undefined ? ((await store.outbox.statusComments(ex.task.id))[0] ?? null) : null;
    const notes = opts.asOf === undefined ? await taskNotes(store, ctx.config, ex.task) : null;
    ctx.io.out(opts.json ? `${JSON.stringify({ ...ex, statusComment: comment, ...(notes ? { sources: notes.sources, conflicts: notes.conflicts } : {}) }, null, 2)}\n` : render(ex, engine.label, engine.nameOf, ctx.config.timezone, (d) => engine.workdaysUntil(d)) + notesLines(notes) + commentLine(comment, ctx.config.timezone));
    return 0;
  }, opts.asOf);
}

/** Where the task's plan came from (GitHub projects) and where its sources disagree. */
function notesLines(n: TaskNotes | null): string {
  if (n === null || (n.sources.length === 0 && n.conflicts.length === 0)) return '';
  const lines = ['', 'Planned in'];
  for (const s of n.sources) lines.push(`  ${s}`);
  for (const c of n.conflicts) lines.push(`  CONFLICT ${c}`);
  return `${lines.join('\n')}\n`;
}

/** Where taskwire's status comment on the task stands: written (and where), or left to the person who took it over. */
function commentLine(c: StatusCommentRecord | null, tz: string): string {
  if (c === null) return '';
  if (c.leftAloneAt !== null) return `\nStatus comment: left alone since ${humanDateTime(c.leftAloneAt, tz)} — ${c.leftAloneWhy ?? 'a person changed it'}; a person's edit wins, so taskwire neither edits it nor posts another.\n`;
  return c.writtenAt ? `\nStatus comment: taskwire's, last written ${humanDateTime(c.writtenAt, tz)}${c.url ? ` — ${c.url}` : ''}\n` : '';
}

function render(ex: Explanation, label: (id: string) => string, nameOf: (id: string) => string, tz: string, workdaysUntil: (date: string) => number): string {
  const t = ex.task;
  const lines: string[] = [];
  const name = label(t.id);
  lines.push(name.includes(t.title) ? name : `${name}  ${t.title}`);
  if (t.url) lines.push(`  ${t.url}`);
  const owner = ex.ownership.owner ? (isAccountOwner(ex.ownership.owner) ? `${ex.ownership.owner} (not in the registry)` : nameOf(ex.ownership.owner)) : t.assignees.length ? `${t.assignees.map((a) => `${a.kind}:${a.name ?? a.id}`).join(', ')} (not in the registry)` : 'nobody';
  lines.push(`  status ${t.status}${t.rawStatus ? ` (${t.rawStatus})` : ''} · owner ${owner} · due ${t.due ? humanDate(t.due) : '—'} · priority ${t.priority ?? '—'}`);
  lines.push('');
  if (ex.flags.length === 0) lines.push('No flags: nothing stands in the way of this task.');
  else {
    lines.push('Flags');
    for (const f of ex.flags) lines.push(`  ${f.severity.padEnd(8)} ${f.code.padEnd(18)} ${f.reason}`);
  }
  const r = ex.risk;
  if (r) {
    const finish = r.expectedFinish ? `, forecast to finish ${humanDate(r.expectedFinish.slice(0, 10))}` : '';
    lines.push('', `Deadline risk: ${r.level}${r.level === 'unknown' || !t.due ? '' : ` — ${Math.round(r.pMiss * 100)}% chance of missing ${humanDate(t.due)}${finish}`}`);
    for (const reason of r.reasons) lines.push(`  - ${reason}`);
    lines.push(`  ${riskInputs(r.inputs, t.due, label, tz)}`);
    const lead = riskLead(r, t.due ? workdaysUntil(t.due) : null);
    if (lead) lines.push(`  ${lead}`);
  }
  if (ex.dependencies.length || ex.unresolved.length || ex.dependents.length || ex.parent || ex.children.length) {
    lines.push('', 'Graph');
    for (const d of ex.dependencies) lines.push(`  depends on ${d.label} (${d.status})`);
    for (const u of ex.unresolved) lines.push(`  depends on ${u} (not tracked by taskwire)`);
    if (ex.parent) lines.push(`  subtask of ${label(ex.parent)}`);
    for (const c of ex.children) lines.push(`  has subtask ${label(c)}`);
    for (const d of ex.dependents) lines.push(`  blocks ${label(d)}`);
    if (ex.cycle) lines.push(`  in a cycle: ${ex.cycle.map(label).join(' → ')}`);
  }
  return `${lines.join('\n')}\n`;
}
