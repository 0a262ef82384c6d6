/**
 * What the web UI shows, computed once per change rather than per request: every task as a card
 * (owner in words, due and overdue in the team's time zone, open flags), ready to filter, group and page.
 * Pure: built from an evaluated engine, the identity registry and `now`.
 */
import { localDate } from '../../core/calendar.js';
import type { Engine } from '../../core/engine.js';
import { accountOwner, isAccountOwner, type Identity } from '../../core/identity.js';
import { hasHumanKey, TOOL_NAME } from '../../core/labels.js';
import { SEVERITY_RANK, worstFirst } from '../../core/flags.js';
import type { ConnectorKind, Flag, Priority, Task, TaskStatus } from '../../core/model.js';
import { verifierOf } from '../../core/verifier.js';

export const COLUMNS = [
  { id: 'todo', label: 'To do' },
  { id: 'in_progress', label: 'In progress' },
  { id: 'in_review', label: 'In review' },
  { id: 'blocked', label: 'Blocked' },
  { id: 'done', label: 'Done, awaiting verification' },
] as const satisfies readonly { id: TaskStatus; label: string }[];
export type ColumnId = (typeof COLUMNS)[number]['id'];

export type OwnerKind = 'person' | 'account' | 'team' | 'shared' | 'none';

export interface Card {
  readonly id: string;
  readonly title: string;
  readonly kind: ConnectorKind;
  readonly tool: string;
  readonly connector: string;
  /** OPS-14, acme/infra#12; null for tools without human keys (Slack, Notion). */
  readonly key: string | null;
  readonly url: string | null;
  readonly status: ColumnId;
  readonly owner: { readonly kind: OwnerKind; readonly label: string };
  /** People and unmapped accounts holding it (owner filter), and teams it belongs to (team filter). */
  readonly owners: readonly string[];
  readonly teams: readonly string[];
  readonly due: string | null;
  readonly overdue: boolean;
  readonly priority: Priority | null;
  readonly milestone: string | null;
  readonly flags: readonly Flag[];
  /** 0 critical … 3 no flag: the board shows the worst first. */
  readonly rank: number;
  readonly verifier: string | null;
  /** Lower-case title and key, for the text filter. */
  readonly text: string;
  readonly remainingHours: number | null;
}

export interface UiSnapshot {
  readonly now: number;
  readonly today: string;
  readonly timezone: string;
  readonly cards: readonly Card[];
  readonly byId: ReadonlyMap<string, Card>;
  readonly engine: Engine;
  readonly identity: Identity;
  /** Display name of a person, team or account owner. */
  readonly nameOf: (id: string) => string;
  readonly teams: readonly { readonly id: string; readonly name: string; readonly members: readonly string[] }[];
  /** Bumped on every change; the page's live updates compare it. */
  readonly version: number;
}

export interface SnapshotInput {
  readonly engine: Engine;
  readonly identity: Identity;
  readonly teams: readonly { readonly id: string; readonly name: string; readonly members: readonly string[]; readonly lead?: string | undefined }[];
  readonly timezone: string;
  readonly now: number;
  readonly version: number;
}

export function buildSnapshot(input: SnapshotInput): UiSnapshot {
  const { engine, identity, teams } = input;
  const today = localDate(input.now, input.timezone);
  const flagsOf = new Map<string, Flag[]>();
  for (const f of engine.currentFlags()) flagsOf.set(f.taskId, [...(flagsOf.get(f.taskId) ?? []), f]);
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const teamsOfPerson = new Map<string, string[]>();
  for (const t of teams) for (const m of t.members) teamsOfPerson.set(m, [...(teamsOfPerson.get(m) ?? []), t.id]);
  const nameOf = (id: string) => identity.person(id)?.name ?? teamName.get(id) ?? id;
  const verifier = verifierOf(identity, teams);
  const cards: Card[] = [];
  for (const t of engine.tasks()) {
    // Closed work is off the board; done work stays until someone verifies it.
    if (!COLUMNS.some((c) => c.id === t.status) || (t.status === 'done' && t.verifiedAt !== null)) continue;
    cards.push(card(t, flagsOf.get(t.id) ?? [], { identity, nameOf, teamsOfPerson, today, verifier }));
  }
  cards.sort((a, b) => a.rank - b.rank || (a.due ?? '9999').localeCompare(b.due ?? '9999') || a.title.localeCompare(b.title));
  return { now: input.now, today, timezone: input.timezone, cards, byId: new Map(cards.map((c) => [c.id, c])), engine, identity, nameOf, teams, version: input.version };
}

interface CardContext {
  readonly identity: Identity;
  readonly nameOf: (id: string) => string;
  readonly teamsOfPerson: ReadonlyMap<string, readonly string[]>;
  readonly today: string;
  readonly verifier: (t: Task) => string | null;
}

function card(t: Task, flags: Flag[], ctx: CardContext): Card {
  const o = ctx.identity.ownership(t.assignees);
  const owners = [...o.people, ...o.unmapped.map(accountOwner)];
  const teams = new Set([...o.teams, ...o.people.flatMap((p) => ctx.teamsOfPerson.get(p) ?? [])]);
  const owner: Card['owner'] =
    o.owner !== null
      ? isAccountOwner(o.owner)
        ? { kind: 'account', label: o.owner }
        : { kind: 'person', label: ctx.nameOf(o.owner) }
      : o.teams.length > 0
        ? { kind: 'team', label: `team ${o.teams.map(ctx.nameOf).join(', ')}` }
        : owners.length > 1
          ? { kind: 'shared', label: `shared: ${owners.map((id) => (isAccountOwner(id) ? id : ctx.nameOf(id))).join(', ')}` }
          : { kind: 'none', label: 'no owner' };
  const remaining = t.remainingS ?? (t.estimateS !== null ? Math.max(0, t.estimateS - (t.spentS ?? 0)) : null);
  return {
    id: t.id,
    title: t.title,
    kind: t.kind,
    tool: TOOL_NAME[t.kind],
    connector: t.connector,
    key: hasHumanKey(t) ? t.key : null,
    url: t.url,
    status: t.status as ColumnId,
    owner,
    owners,
    teams: [...teams],
    due: t.due,
    overdue: t.due !== null && t.due < ctx.today && t.status !== 'done',
    priority: t.priority,
    milestone: t.milestone,
    flags: [...flags].sort(worstFirst),
    rank: Math.min(3, ...flags.map((f) => SEVERITY_RANK[f.severity])),
    verifier: t.status === 'done' ? ctx.verifier(t) : null,
    text: `${t.title} ${t.key}`.toLowerCase(),
    remainingHours: remaining === null ? null : remaining / 3600,
  };
}
