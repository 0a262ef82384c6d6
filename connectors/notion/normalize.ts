/**
 * Notion → canonical, pure: a data-source row (page) as a task through the configured property map —
 * title, owner (people), due (date; a date-time is read as a day in the team's time zone), status
 * (status or select) and priority (select) through value maps, blockers and parent (relations),
 * acceptance criteria (rich text), estimate and time spent (numbers, in hours), verified (checkbox),
 * milestone (select, rich text, or date).
 */
import { DateTime } from 'luxon';
import type { AccountRef, Priority, TaskFields, TaskStatus } from '../../src/core/model.js';
import { findReferences } from '../../src/core/text.js';
import type { NotionPage, NotionUser, PropertyValue, RichText } from './types.js';

export interface PropertyMap {
  readonly title?: string | undefined;
  readonly owner: string;
  readonly due: string;
  readonly status: string;
  readonly priority: string;
  readonly blockedBy: string;
  readonly parent?: string | undefined;
  readonly acceptanceCriteria?: string | undefined;
  readonly estimate?: string | undefined;
  readonly spent?: string | undefined;
  readonly verified?: string | undefined;
  readonly milestone?: string | undefined;
}

export interface NotionSourceContext {
  readonly timezone: string;
  readonly properties: PropertyMap;
  /** Lowercased value name → status / priority (defaults merged with the config's maps). */
  readonly statusMap: Readonly<Record<string, TaskStatus>>;
  readonly priorityMap: Readonly<Record<string, Priority>>;
  readonly project: string | null;
  /** The integration's own bot user: its edits are not a person's. */
  readonly botUserId: string | null;
  /** Full lists for relation / people properties holding more than the 25 references a page carries inline. */
  readonly fullLists?: ReadonlyMap<string, readonly unknown[]>;
}

export const DEFAULT_STATUS_MAP: Readonly<Record<string, TaskStatus>> = {
  'not started': 'todo',
  'to do': 'todo',
  todo: 'todo',
  backlog: 'todo',
  'in progress': 'in_progress',
  doing: 'in_progress',
  'in review': 'in_review',
  review: 'in_review',
  blocked: 'blocked',
  'waiting': 'blocked',
  done: 'done',
  complete: 'done',
  completed: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  "won't do": 'cancelled',
};

export const DEFAULT_PRIORITY_MAP: Readonly<Record<string, Priority>> = {
  p0: 'urgent',
  urgent: 'urgent',
  critical: 'urgent',
  p1: 'high',
  high: 'high',
  p2: 'medium',
  medium: 'medium',
  p3: 'low',
  low: 'low',
};

export function valueMaps(source: { statusMap?: Record<string, TaskStatus> | undefined; priorityMap?: Record<string, Priority> | undefined }) {
  const lower = <T>(m: Record<string, T> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase().trim(), v]));
  return { statusMap: { ...DEFAULT_STATUS_MAP, ...lower(source.statusMap) }, priorityMap: { ...DEFAULT_PRIORITY_MAP, ...lower(source.priorityMap) } };
}

export const text = (rt: readonly RichText[] | undefined): string => (rt ?? []).map((t) => t.plain_text).join('');

/** A property by name, of any type; the title property by type when no name is given. */
function prop(page: NotionPage, name: string | undefined, type?: string): PropertyValue | undefined {
  if (name !== undefined) return page.properties[name];
  return Object.values(page.properties).find((p) => p.type === type);
}

function propText(p: PropertyValue | undefined): string | null {
  if (!p) return null;
  const v = p as Record<string, unknown>;
  switch (p.type) {
    case 'title':
    case 'rich_text':
      return text(v[p.type] as RichText[]) || null;
    case 'select':
    case 'status':
      return (v[p.type] as { name: string } | null)?.name ?? null;
    case 'multi_select':
      return (v['multi_select'] as { name: string }[]).map((o) => o.name).join(', ') || null;
    case 'url':
      return (v['url'] as string | null) ?? null;
    case 'number':
      return typeof v['number'] === 'number' ? String(v['number']) : null;
    default:
      return null;
  }
}

export function account(u: NotionUser): AccountRef {
  return { kind: 'notion', id: u.id, ...(u.name ? { name: u.name } : {}), ...(u.person?.email ? { email: u.person.email } : {}), ...(u.type === 'bot' ? { isBot: true } : {}) };
}

/** A Notion date (`2026-11-27` or `2026-11-27T17:00:00.000+01:00`, maybe with a time_zone) as a day in the team's zone. */
export function dayOf(date: { start: string; time_zone: string | null }, teamZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(date.start)) return date.start;
  const d = date.time_zone ? DateTime.fromISO(date.start, { zone: date.time_zone }) : DateTime.fromISO(date.start, { setZone: true });
  return d.setZone(teamZone).toISODate() ?? date.start.slice(0, 10);
}

const ref = (id: string) => `notion:${id}`;

export function toTask(page: NotionPage, ctx: NotionSourceContext): TaskFields {
  const pm = ctx.properties;
  const title = propText(prop(page, pm.title, 'title')) ?? 'Untitled';
  const people = prop(page, pm.owner);
  const owners = people?.type === 'people' ? ((ctx.fullLists?.get(people.id) as NotionUser[] | undefined) ?? people.people) : [];
  const due = prop(page, pm.due);
  const dueDate = due?.type === 'date' ? (due as { date: { start: string; time_zone: string | null } | null }).date : null;
  const rawStatus = propText(prop(page, pm.status));
  const rawPriority = propText(prop(page, pm.priority));
  const verifiedProp = pm.verified ? prop(page, pm.verified) : undefined;
  const verified = verifiedProp?.type === 'checkbox' && (verifiedProp as { checkbox: boolean }).checkbox;
  let status: TaskStatus = rawStatus ? (ctx.statusMap[rawStatus.toLowerCase().trim()] ?? 'todo') : 'todo';
  if (verified && (status === 'done' || status === 'in_review' || status === 'verified')) status = 'verified';
  const relation = (name: string | undefined) => {
    const p = name ? prop(page, name) : undefined;
    if (p?.type !== 'relation') return [];
    const full = ctx.fullLists?.get(p.id) as { id: string }[] | undefined;
    return (full ?? p.relation).map((r) => ref(r.id));
  };
  const ac = pm.acceptanceCriteria ? propText(prop(page, pm.acceptanceCriteria)) : null;
  const refs = findReferences([title, ac].filter(Boolean).join('\n'));
  const dependsOn = [...new Set([...relation(pm.blockedBy), ...refs.dependsOn])];
  const parent = relation(pm.parent)[0] ?? null;
  const hours = (name: string | undefined) => {
    const p = name ? prop(page, name) : undefined;
    return p?.type === 'number' && (p as { number: number | null }).number !== null ? Math.round((p as { number: number }).number * 3600) : null;
  };
  const milestoneProp = pm.milestone ? prop(page, pm.milestone) : undefined;
  const milestone = milestoneProp?.type === 'date' ? ((milestoneProp as { date: { start: string } | null }).date?.start ?? null) : milestoneProp?.type === 'relation' ? null : propText(milestoneProp);
  const closed = status === 'done' || status === 'verified';
  const humanEdit = page.last_edited_by.id !== ctx.botUserId && page.last_edited_by.object !== 'bot';
  return {
    key: page.id,
    url: page.url,
    type: 'page',
    title,
    description: null,
    status,
    rawStatus,
    priority: rawPriority ? (ctx.priorityMap[rawPriority.toLowerCase().trim()] ?? null) : null,
    rawPriority,
    assignees: owners.map(account),
    reporter: page.created_by.id ? { kind: 'notion', id: page.created_by.id } : null,
    due: dueDate ? dayOf(dueDate, ctx.timezone) : null,
    acceptanceCriteria: ac,
    estimateS: hours(pm.estimate),
    spentS: hours(pm.spent),
    remainingS: null,
    parent,
    dependsOn,
    links: refs.links.filter((l) => !dependsOn.includes(l)),
    labels: [],
    project: ctx.project,
    milestone,
    createdAt: page.created_time,
    updatedAt: page.last_edited_time,
    lastHumanActivityAt: humanEdit ? page.last_edited_time : null,
    doneAt: closed ? page.last_edited_time : null,
    verifiedAt: status === 'verified' ? page.last_edited_time : null,
    verifiedBy: null,
  };
}

/** Properties whose inline list may be cut at 25 references (relation, people): to fetch in full when `has_more`. */
export function truncatedProperties(page: NotionPage): { name: string; id: string }[] {
  return Object.entries(page.properties)
    .filter(([, p]) => (p.type === 'relation' && p.has_more === true) || (p.type === 'people' && p.people.length >= 25))
    .map(([name, p]) => ({ name, id: p.id }));
}
