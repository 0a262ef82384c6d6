/** Unmapped accounts as `people:` YAML to paste into the config (`taskwire people --unmapped --yaml`, the web UI). Pure. */
import { stringify } from 'yaml';
import type { AccountRef } from './model.js';

type AccountRecord = AccountRef & { readonly connector: string };

/**
 * The unmapped accounts as `people:` entries to paste into the config: accounts with the same name (or,
 * without one, the same email) across tools become one person; ids are made from names and never collide
 * with the registry's.
 */
export function peopleYaml(unmapped: readonly AccountRecord[], taken: ReadonlySet<string>): string {
  if (unmapped.length === 0) return '# every account seen resolves to a person, a team or a bot\n';
  const groups = new Map<string, AccountRecord[]>();
  for (const a of unmapped) {
    const k = a.name ? `name:${a.name.toLowerCase().replace(/\s+/g, ' ').trim()}` : a.email ? `email:${a.email.toLowerCase()}` : `id:${a.kind}:${a.id}`;
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  const used = new Set(taken);
  const people = [...groups.values()].map((as) => {
    const name = as.find((a) => a.name)?.name ?? as[0]!.id;
    const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'person';
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    const email = as.find((a) => a.email)?.email;
    const accounts: Record<string, string | string[]> = {};
    for (const a of as) {
      const prev = accounts[a.kind];
      accounts[a.kind] = prev === undefined ? a.id : [...(Array.isArray(prev) ? prev : [prev]), a.id];
    }
    return { id, name, ...(email ? { email } : {}), accounts };
  });
  const body = stringify({ people }, { flowCollectionPadding: true, collectionStyle: 'block' }).replace(/^people:\n/, '');
  return `# ${people.length} ${people.length === 1 ? 'person' : 'people'} seen in the tools and not in the registry: check the names, then add under people: in the config\n${body}`;
}
