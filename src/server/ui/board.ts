/**
 * The board: cards filtered (owner, team, tool, flag, milestone, text — all in the URL), grouped into
 * status columns, optionally in swimlanes by owner, tool or milestone, and paged on the server so a
 * board of 10,000 open tasks sends only what fits on a screen. Pure.
 */
import { FLAG_CODES } from '../../core/model.js';
import { COLUMNS, type Card, type ColumnId, type UiSnapshot } from './snapshot.js';

export const GROUPS = ['status', 'owner', 'tool', 'milestone'] as const;
export type Group = (typeof GROUPS)[number];

export interface BoardFilters {
  readonly owner?: string | undefined;
  readonly team?: string | undefined;
  readonly tool?: string | undefined;
  readonly flag?: string | undefined;
  readonly milestone?: string | undefined;
  readonly q?: string | undefined;
  readonly group: Group;
  /** Cards shown per column (per cell in swimlanes) before "more". */
  readonly limit: number;
}

export interface BoardColumn {
  readonly id: ColumnId;
  readonly label: string;
  readonly total: number;
  readonly cards: readonly Card[];
}

export interface BoardLane {
  readonly key: string;
  readonly label: string;
  /** The filter that shows only this lane (its "show all" link). */
  readonly filter: Partial<Record<'owner' | 'tool' | 'milestone', string>>;
  readonly total: number;
  readonly columns: readonly BoardColumn[];
}

export interface Board {
  readonly filters: BoardFilters;
  readonly total: number;
  readonly lanes: readonly BoardLane[];
  /** Lanes beyond those shown (too many to draw). */
  readonly hiddenLanes: number;
  readonly options: {
    readonly owners: readonly { readonly id: string; readonly label: string }[];
    readonly teams: readonly { readonly id: string; readonly label: string }[];
    readonly tools: readonly string[];
    readonly flags: readonly string[];
    readonly milestones: readonly string[];
  };
}

const MAX_LANES = 40;
export const MAX_LIMIT = 1000;

/** Filters read from a query string; anything unknown is dropped (a shared link never fails). */
export function parseFilters(q: Readonly<Record<string, string | undefined>>): BoardFilters {
  const text = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim().slice(0, 200) : undefined);
  const group = GROUPS.find((g) => g === q['group']) ?? 'status';
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number.parseInt(q['limit'] ?? '', 10) || (group === 'status' ? 50 : 12)));
  const flag = FLAG_CODES.find((f) => f === q['flag']);
  return { owner: text(q['owner']), team: text(q['team']), tool: text(q['tool']), flag, milestone: text(q['milestone']), q: text(q['q']), group, limit };
}

export function matches(c: Card, f: BoardFilters, members?: ReadonlySet<string>): boolean {
  if (f.owner !== undefined && !(f.owner === 'none' ? c.owners.length === 0 && c.owner.kind !== 'team' : c.owners.includes(f.owner))) return false;
  if (f.team !== undefined && !c.teams.includes(f.team) && !(members && c.owners.some((o) => members.has(o)))) return false;
  if (f.tool !== undefined && c.kind !== f.tool && c.connector !== f.tool) return false;
  if (f.flag !== undefined && !c.flags.some((x) => x.code === f.flag)) return false;
  if (f.milestone !== undefined && c.milestone !== f.milestone) return false;
  if (f.q !== undefined && !c.text.includes(f.q.toLowerCase())) return false;
  return true;
}

export function buildBoard(s: UiSnapshot, f: BoardFilters): Board {
  const members = f.team === undefined ? undefined : new Set(s.teams.find((t) => t.id === f.team)?.members ?? []);
  const shown = s.cards.filter((c) => matches(c, f, members));
  const lanes = new Map<string, { label: string; filter: BoardLane['filter']; cards: Card[] }>();
  for (const c of shown) {
    const { key, label, filter } = laneOf(c, f.group, s.nameOf);
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = { label, filter, cards: [] }));
    lane.cards.push(c);
  }
  const ordered = [...lanes.entries()].sort(([a, x], [b, y]) => (f.group === 'milestone' ? a.localeCompare(b) : y.cards.length - x.cards.length || x.label.localeCompare(y.label)));
  const drawn = ordered.slice(0, MAX_LANES).map(([key, l]) => ({ key, label: l.label, filter: l.filter, total: l.cards.length, columns: columns(l.cards, f.limit) }));
  return { filters: f, total: shown.length, lanes: drawn, hiddenLanes: ordered.length - drawn.length, options: boardOptions(s) };
}

function columns(cards: readonly Card[], limit: number): BoardColumn[] {
  return COLUMNS.map((col) => {
    const all = cards.filter((c) => c.status === col.id);
    return { id: col.id, label: col.label, total: all.length, cards: all.slice(0, limit) };
  });
}

function laneOf(c: Card, group: BoardFilters['group'], nameOf: (id: string) => string): { key: string; label: string; filter: BoardLane['filter'] } {
  switch (group) {
    case 'status':
      return { key: 'all', label: 'All open work', filter: {} };
    case 'owner': {
      const id = c.owners.length === 1 ? c.owners[0]! : null;
      if (id !== null) return { key: `owner:${id}`, label: nameOf(id), filter: { owner: id } };
      return c.owner.kind === 'none' ? { key: 'owner:none', label: 'No owner', filter: { owner: 'none' } } : c.owner.kind === 'shared' ? { key: 'owner:shared', label: 'Shared', filter: {} } : { key: `owner:${c.owner.label}`, label: c.owner.label, filter: {} };
    }
    case 'tool':
      return { key: `tool:${c.connector}`, label: `${c.tool} (${c.connector})`, filter: { tool: c.connector } };
    case 'milestone':
      return c.milestone === null ? { key: '~', label: 'No milestone', filter: {} } : { key: c.milestone, label: c.milestone, filter: { milestone: c.milestone } };
  }
}

/** What the filters can choose from: every owner, team, tool, open flag and milestone on the board. */
export function boardOptions(s: UiSnapshot): Board['options'] {
  const owners = new Set<string>();
  const tools = new Set<string>();
  const flags = new Set<string>();
  const milestones = new Set<string>();
  for (const c of s.cards) {
    for (const o of c.owners) owners.add(o);
    tools.add(c.connector);
    for (const f of c.flags) flags.add(f.code);
    if (c.milestone !== null) milestones.add(c.milestone);
  }
  return {
    owners: [...owners].map((id) => ({ id, label: s.nameOf(id) })).sort((a, b) => a.label.localeCompare(b.label)),
    teams: s.teams.map((t) => ({ id: t.id, label: t.name })),
    tools: [...tools].sort(),
    flags: FLAG_CODES.filter((f) => flags.has(f)),
    milestones: [...milestones].sort(),
  };
}
