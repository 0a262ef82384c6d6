/**
 * Checks that span sections (duplicate ids, references to people and connectors, an account given to
 * two people). They run even when other parts of the file are invalid, so every problem is reported at
 * once; hence they read the input defensively rather than trusting its types.
 */
import type { z } from 'zod';

type Path = (string | number)[];
type Ctx = z.core.$RefinementCtx<unknown>;

const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {})) : [];
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function crossCheck(input: unknown, ctx: Ctx): void {
  const c = obj(input);
  const people = list(c['people']);
  const teams = list(c['teams']);
  const connectors = list(c['connectors']);
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

  const dupes = (items: Record<string, unknown>[], key: string, where: string, what: string) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      const v = str(it[key]);
      if (v === undefined) return;
      if (seen.has(v)) issue([where, i, key], `duplicate ${what} "${v}"`);
      seen.add(v);
    });
  };
  const server = obj(c['server']);
  const ui = obj(server['ui']);
  if (ui['enabled'] === true && server['apiToken'] === undefined && server['apiTokenFile'] === undefined && ui['basicAuth'] === undefined) {
    issue(['server', 'ui', 'enabled'], 'the web UI needs a way to sign in: set server.apiToken or server.ui.basicAuth');
  }
  dupes(people, 'id', 'people', 'person id');
  dupes(teams, 'id', 'teams', 'team id');
  dupes(connectors, 'name', 'connectors', 'connector name');

  const personIds = new Set(people.map((p) => str(p['id'])).filter((x) => x !== undefined));
  teams.forEach((t, i) => {
    const members = Array.isArray(t['members']) ? (t['members'] as unknown[]) : [];
    members.forEach((m, j) => {
      if (typeof m === 'string' && !personIds.has(m)) issue(['teams', i, 'members', j], `no person with id "${m}"`);
    });
    const lead = str(t['lead']);
    if (lead !== undefined && !personIds.has(lead)) issue(['teams', i, 'lead'], `no person with id "${lead}"`);
  });

  // One account belongs to one person (or team) only; otherwise ownership would be a guess.
  const owners = new Map<string, string>();
  const claimAll = (items: Record<string, unknown>[], where: 'people' | 'teams', what: string) => {
    items.forEach((it, i) => {
      for (const [kind, ids] of Object.entries(obj(it['accounts']))) {
        const values = typeof ids === 'string' ? [ids] : Array.isArray(ids) ? ids : [];
        values.forEach((id, j) => {
          if (typeof id !== 'string') return;
          const key = `${kind}:${id.toLowerCase()}`;
          const who = `${what} ${str(it['id']) ?? i}`;
          const prev = owners.get(key);
          const path: Path = typeof ids === 'string' ? [where, i, 'accounts', kind] : [where, i, 'accounts', kind, j];
          if (prev !== undefined && prev !== who) issue(path, `${kind} account "${id}" is already given to ${prev}`);
          owners.set(key, who);
        });
      }
    });
  };
  claimAll(people, 'people', 'person');
  claimAll(teams, 'teams', 'team');

  const names = new Set(connectors.map((x) => str(x['name'])).filter((x) => x !== undefined));
  const connectorRef = (v: unknown, path: Path) => {
    const name = str(obj(v)['connector']);
    if (name !== undefined && !names.has(name)) issue([...path, 'connector'], `no connector named "${name}"`);
  };
  list(obj(c['report'])['post']).forEach((p, i) => connectorRef(p, ['report', 'post', i]));
  teams.forEach((t, i) => t['channel'] !== undefined && connectorRef(t['channel'], ['teams', i, 'channel']));
  const dm = obj(c['followups'])['directMessages'];
  if (dm !== undefined) connectorRef(dm, ['followups', 'directMessages']);
}
