/**
 * The identity registry: who an account in a tool is. Pure — built from the config's people and teams
 * plus accounts the connectors discovered (for their emails), with no I/O.
 *
 * Resolution order for one account: the person it is listed under in the config; a team it is listed
 * under (a group account); a team alias matching its id or display name ("DevOps"); a person with the
 * same email (from the account itself or from the tool's user list); a bot; otherwise unmapped.
 */
import type { AccountRef, ConnectorKind, Person } from './model.js';

export interface PersonEntry {
  readonly id: string;
  readonly name: string;
  readonly email?: string | undefined;
  readonly timezone?: string | undefined;
  readonly accounts: Readonly<Partial<Record<ConnectorKind, readonly string[] | undefined>>>;
}

export interface TeamEntry {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly accounts: Readonly<Partial<Record<ConnectorKind, readonly string[] | undefined>>>;
  readonly members: readonly string[];
  readonly lead?: string | undefined;
}

export type Resolution =
  | { readonly kind: 'person'; readonly personId: string; readonly via: 'registry' | 'email' }
  | { readonly kind: 'team'; readonly teamId: string; readonly via: 'registry' | 'alias' }
  | { readonly kind: 'bot' }
  | { readonly kind: 'unmapped' };

/**
 * Who owns a task, from its assignees. `owner` is set when exactly one owner holds it and no team: a
 * person's id, or — for an account the registry does not know yet — the account itself
 * (`github:carol-net`, see accountOwner): it has a queue and a history of its own, and once the account
 * is mapped the stored owners are recomputed and its history joins the person's.
 */
export interface Ownership {
  readonly owner: string | null;
  readonly people: readonly string[];
  readonly teams: readonly string[];
  readonly unmapped: readonly AccountRef[];
  readonly bots: readonly AccountRef[];
}

export interface Identity {
  readonly people: readonly Person[];
  resolve(account: AccountRef): Resolution;
  ownership(assignees: readonly AccountRef[]): Ownership;
  person(id: string): Person | undefined;
  /** A stable fingerprint of what resolution depends on; when it changes, stored owners are recomputed. */
  readonly fingerprint: string;
}

const norm = (s: string) => s.trim().toLowerCase();

/** The owner id of an account no person is mapped to yet: `kind:id` (a person's id never has a colon). */
export const accountOwner = (a: Pick<AccountRef, 'kind' | 'id'>): string => `${a.kind}:${norm(a.id)}`;
/** Whether an owner id is an account the registry does not know (rather than a person). */
export const isAccountOwner = (owner: string): boolean => owner.includes(':');
const accountKey = (kind: string, id: string) => `${kind}:${norm(id)}`;

export function buildIdentity(input: {
  readonly people: readonly PersonEntry[];
  readonly teams: readonly TeamEntry[];
  /** Accounts the tools told us about (users lists), used for their emails. */
  readonly discovered?: readonly AccountRef[];
}): Identity {
  const byAccount = new Map<string, Resolution>();
  const byEmail = new Map<string, string>();
  const aliases = new Map<string, string>();
  const people = new Map<string, Person>();

  for (const p of input.people) {
    people.set(p.id, { id: p.id, name: p.name, email: p.email ?? null, timezone: p.timezone ?? null });
    if (p.email) byEmail.set(norm(p.email), p.id);
    for (const [kind, ids] of Object.entries(p.accounts)) {
      for (const id of ids ?? []) byAccount.set(accountKey(kind, id), { kind: 'person', personId: p.id, via: 'registry' });
    }
  }
  for (const t of input.teams) {
    for (const [kind, ids] of Object.entries(t.accounts)) {
      for (const id of ids ?? []) byAccount.set(accountKey(kind, id), { kind: 'team', teamId: t.id, via: 'registry' });
    }
    for (const a of [t.name, t.id, ...t.aliases]) aliases.set(norm(a), t.id);
  }
  const discoveredEmail = new Map<string, string>();
  for (const a of input.discovered ?? []) if (a.email) discoveredEmail.set(accountKey(a.kind, a.id), norm(a.email));

  // Resolutions are cached per account (by kind, then raw id): the same few accounts recur on every task.
  const cache = new Map<string, Map<string, Resolution>>();
  const resolve = (account: AccountRef): Resolution => {
    if (account.email !== undefined || account.name !== undefined || account.isBot) return resolveUncached(account);
    let byId = cache.get(account.kind);
    if (!byId) cache.set(account.kind, (byId = new Map<string, Resolution>()));
    let r = byId.get(account.id);
    if (!r) byId.set(account.id, (r = resolveUncached(account)));
    return r;
  };
  const resolveUncached = (account: AccountRef): Resolution => {
    const listed = byAccount.get(accountKey(account.kind, account.id));
    if (listed) return listed;
    const alias = aliases.get(norm(account.id)) ?? (account.name ? aliases.get(norm(account.name)) : undefined);
    if (alias) return { kind: 'team', teamId: alias, via: 'alias' };
    const email = account.email ? norm(account.email) : discoveredEmail.get(accountKey(account.kind, account.id));
    const byMail = email ? byEmail.get(email) : undefined;
    if (byMail) return { kind: 'person', personId: byMail, via: 'email' };
    if (account.isBot) return { kind: 'bot' };
    return { kind: 'unmapped' };
  };

  const nobody: Ownership = Object.freeze({ owner: null, people: [], teams: [], unmapped: [], bots: [] });
  const sole = new Map<string, Ownership>();
  const soleOwner = (personId: string): Ownership => {
    let o = sole.get(personId);
    if (!o) sole.set(personId, (o = Object.freeze({ owner: personId, people: Object.freeze([personId]), teams: [], unmapped: [], bots: [] })));
    return o;
  };
  const ownership = (assignees: readonly AccountRef[]): Ownership => {
    if (assignees.length === 0) return nobody;
    if (assignees.length === 1) {
      // The common case: one shared, frozen answer per person or team (a 100k-task hot path).
      const a = assignees[0]!;
      const r = resolve(a);
      if (r.kind === 'person') return soleOwner(r.personId);
      if (r.kind === 'team') return Object.freeze({ owner: null, people: [], teams: [r.teamId], unmapped: [], bots: [] });
      if (r.kind === 'bot') return { owner: null, people: [], teams: [], unmapped: [], bots: [a] };
      return { owner: accountOwner(a), people: [], teams: [], unmapped: [a], bots: [] };
    }
    const ppl = new Set<string>();
    const teams = new Set<string>();
    const unmapped: AccountRef[] = [];
    const bots: AccountRef[] = [];
    for (const a of assignees) {
      const r = resolve(a);
      if (r.kind === 'person') ppl.add(r.personId);
      else if (r.kind === 'team') teams.add(r.teamId);
      else if (r.kind === 'bot') bots.push(a);
      else if (!unmapped.some((u) => accountKey(u.kind, u.id) === accountKey(a.kind, a.id))) unmapped.push(a);
    }
    const only =
      teams.size > 0 || ppl.size + unmapped.length !== 1 ? undefined : ppl.size === 1 ? [...ppl][0] : accountOwner(unmapped[0]!);
    return { owner: only ?? null, people: [...ppl], teams: [...teams], unmapped, bots };
  };

  const fingerprint = JSON.stringify([
    'owners:v2', // unmapped accounts own their tasks: stores written before are recomputed once
    [...byAccount.entries()].sort(),
    [...byEmail.entries()].sort(),
    [...aliases.entries()].sort(),
    [...discoveredEmail.entries()].sort(),
  ]);

  return { people: [...people.values()], resolve, ownership, person: (id) => people.get(id), fingerprint };
}
