/**
 * Time travel: a task as it stood at an instant, rebuilt from the task as it is now and its history
 * (the tools' own changelogs and the changes taskwire saw), by undoing every change made after that
 * instant, newest first. Pure: the caller passes the history and the instant.
 *
 * Nothing from after the instant survives: a task created later does not exist; status, owner, due
 * date, estimates and the rest take the value they had; done/verified times, human activity and the
 * last update are bounded by the instant. The cycle-time samples the risk model learns from are built
 * from the rebuilt tasks, so no later outcome leaks into an earlier forecast.
 */
import type { CycleSample } from './risk.js';
import { isClosed, isUnderWay, type AccountRef, type HistoryEntry, type Task, type TaskStatus } from './model.js';

/** History field name → how undoing a change sets it back. */
const FIELDS: Readonly<Record<string, (t: Mutable, v: unknown) => void>> = {
  title: (t, v) => void (t.title = typeof v === 'string' ? v : t.title),
  description: (t, v) => void (t.description = typeof v === 'string' ? v : null),
  status: (t, v) => void (t.status = (typeof v === 'string' ? v : 'todo') as TaskStatus),
  priority: (t, v) => void (t.priority = (typeof v === 'string' ? v : null) as Task['priority']),
  assignees: (t, v) => void (t.assignees = Array.isArray(v) ? (v as AccountRef[]) : []),
  owner: (t, v) => void (t.owner = typeof v === 'string' ? v : null),
  due: (t, v) => void (t.due = typeof v === 'string' ? v.slice(0, 10) : null),
  acceptanceCriteria: (t, v) => void (t.acceptanceCriteria = typeof v === 'string' ? v : null),
  estimateS: (t, v) => void (t.estimateS = typeof v === 'number' ? v : null),
  spentS: (t, v) => void (t.spentS = typeof v === 'number' ? v : null),
  remainingS: (t, v) => void (t.remainingS = typeof v === 'number' ? v : null),
  parent: (t, v) => void (t.parent = typeof v === 'string' ? v : null),
  dependsOn: (t, v) => void (t.dependsOn = Array.isArray(v) ? (v as string[]) : []),
  labels: (t, v) => void (t.labels = Array.isArray(v) ? (v as string[]) : []),
  project: (t, v) => void (t.project = typeof v === 'string' ? v : null),
  milestone: (t, v) => void (t.milestone = typeof v === 'string' ? v : null),
  doneAt: (t, v) => void (t.doneAt = typeof v === 'string' ? v : null),
  verifiedAt: (t, v) => void (t.verifiedAt = typeof v === 'string' ? v : null),
  verifiedBy: (t, v) => void (t.verifiedBy = typeof v === 'string' ? v : null),
  deletedAt: (t, v) => void (t.deletedAt = typeof v === 'string' ? v : null),
};

type Mutable = { -readonly [K in keyof Task]: Task[K] };

const parse = (s: string | null): unknown => {
  if (s === null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

/**
 * The task as it stood at `asOf` (ISO), or null when it did not exist yet. `history` is this task's
 * history in any order; `ownerOf` recomputes the owner from the assignees when the history holds no
 * owner change of its own (source histories know assignees, not taskwire's owner).
 */
export function taskAsOf(task: Task, history: readonly HistoryEntry[], asOf: string, ownerOf?: (assignees: readonly AccountRef[]) => string | null): Task | null {
  if (task.createdAt > asOf) return null;
  const t: Mutable = { ...task };
  const history_ = withoutEchoes(history);
  const later = history_.filter((h) => h.at > asOf).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  let ownerUndone = false;
  let assigneesUndone = false;
  for (const h of later) {
    const set = FIELDS[h.field];
    if (!set) continue;
    set(t, parse(h.oldValue));
    if (h.field === 'owner') ownerUndone = true;
    if (h.field === 'assignees') assigneesUndone = true;
  }
  if (assigneesUndone && !ownerUndone && ownerOf) t.owner = ownerOf(t.assignees);
  // The tool's own words for a status or priority are only known for the values they have now.
  if (t.status !== task.status) t.rawStatus = null;
  if (t.priority !== task.priority) t.rawPriority = null;
  if (t.deletedAt !== null && t.deletedAt > asOf) t.deletedAt = null;

  const known = history_.filter((h) => h.at <= asOf);
  // Done and verified times: the last move into that state from outside it, by the instant (done then
  // verified is done since the first of the two), else what the task says, if earlier.
  const lastMove = (to: readonly TaskStatus[]) =>
    known
      .filter((h) => h.field === 'status' && to.includes(parse(h.newValue) as TaskStatus) && !to.includes(parse(h.oldValue) as TaskStatus))
      .map((h) => h.at)
      .sort()
      .at(-1) ?? null;
  const bounded = (iso: string | null) => (iso !== null && iso <= asOf ? iso : null);
  if (t.status === 'done' || t.status === 'verified') t.doneAt = lastMove(['done', 'verified']) ?? bounded(t.doneAt) ?? bounded(task.doneAt);
  else t.doneAt = null;
  if (t.status === 'verified') t.verifiedAt = lastMove(['verified']) ?? bounded(t.verifiedAt) ?? t.doneAt;
  else {
    t.verifiedAt = null;
    t.verifiedBy = null;
  }
  // Human activity and the last update: only what had happened by then.
  const human = known.filter((h) => h.actor === 'human').map((h) => h.at);
  const stated = bounded(task.lastHumanActivityAt);
  t.lastHumanActivityAt = [...human, ...(stated ? [stated] : [])].sort().at(-1) ?? task.createdAt;
  t.updatedAt = [task.createdAt, ...known.map((h) => h.at)].sort().at(-1)!;
  if (t.updatedAt > asOf) t.updatedAt = asOf;
  t.lastSeenAt = asOf < task.lastSeenAt ? asOf : task.lastSeenAt;
  return t;
}

/**
 * A change taskwire saw between two reads is timed by the tool's last update, which may be later than
 * the change itself. When the tool's own history has the same change (same field, same new value, no
 * later), that one — with the tool's own time — is kept and taskwire's copy dropped.
 */
function withoutEchoes(history: readonly HistoryEntry[]): readonly HistoryEntry[] {
  const sourced = history.filter((h) => h.source === 'source');
  if (sourced.length === 0) return history;
  return history.filter((h) => h.source !== 'diff' || !sourced.some((s) => s.field === h.field && s.at <= h.at && sameValue(parse(s.newValue), parse(h.newValue))));
}

/** Equal values; people compared by account id (a changelog knows ids, taskwire also names). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const ids = (x: unknown[]) => x.map((v) => (v !== null && typeof v === 'object' && 'id' in v ? String((v).id) : JSON.stringify(v))).sort().join('|');
    return ids(a) === ids(b);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every task as of `asOf` (those that existed then), given each task's history. */
export function worldAsOf(tasks: readonly Task[], historyOf: (taskId: string) => readonly HistoryEntry[], asOf: string, ownerOf?: (assignees: readonly AccountRef[]) => string | null): Task[] {
  const out: Task[] = [];
  for (const t of tasks) {
    const r = taskAsOf(t, historyOf(t.id), asOf, ownerOf);
    if (r !== null) out.push(r);
  }
  return out;
}

/**
 * Cycle-time samples as of an instant: finished work as it stood then (done by then, start = first move
 * to in progress by then, else creation). Work finished later is not a sample yet.
 */
export function samplesAsOf(world: readonly Task[], historyOf: (taskId: string) => readonly HistoryEntry[]): CycleSample[] {
  const out: CycleSample[] = [];
  for (const t of world) {
    if (t.deletedAt !== null || !isClosed(t.status) || t.status === 'cancelled' || t.doneAt === null) continue;
    const started = historyOf(t.id)
      .filter((h) => h.field === 'status' && h.at <= t.doneAt! && parse(h.newValue) === 'in_progress')
      .map((h) => h.at)
      .sort()[0];
    out.push({ taskId: t.id, owner: t.owner, project: t.project, type: t.type, startedAt: started ?? t.createdAt, doneAt: t.doneAt, estimateS: t.estimateS, spentS: t.spentS });
  }
  return out;
}


/** When each task under way (in progress or in review) started its current run, from its history. */
export function startedTimes(world: readonly Task[], historyOf: (taskId: string) => readonly HistoryEntry[], asOf: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of world) {
    if (!isUnderWay(t.status)) continue;
    const at = historyOf(t.id)
      .filter((h) => h.field === 'status' && h.at <= asOf && isUnderWay(parse(h.newValue) as string) && !isUnderWay(parse(h.oldValue) as string))
      .map((h) => h.at)
      .sort()
      .at(-1);
    if (at !== undefined) out.set(t.id, at);
  }
  return out;
}
