/** `taskwire people`: the identity registry, and with `--unmapped` the accounts that resolve to nobody. */
import { stringify } from 'yaml';
import { loadIdentity, openStore } from '../main.js';
import type { AccountRecord } from '../store/store.js';
import type { CommandContext } from './context.js';
import { table } from './io.js';

export async function peopleCommand(ctx: CommandContext, opts: { unmapped?: boolean; json?: boolean; yaml?: boolean }): Promise<number> {
  const store = await openStore(ctx.config, ctx.io.cwd);
  try {
    const identity = await loadIdentity(ctx.config, store);
    const accounts = await store.listAccounts();
    const asJson = opts.json === true || !ctx.io.isTTY;
    if (opts.unmapped) {
      const unmapped = accounts.filter((a) => identity.resolve(a).kind === 'unmapped');
      if (opts.yaml) ctx.io.out(peopleYaml(unmapped, new Set(ctx.config.people.map((p) => p.id))));
      else if (asJson) ctx.io.out(`${JSON.stringify(unmapped, null, opts.json ? 2 : undefined)}\n`);
      else if (unmapped.length === 0) ctx.io.out('every account seen resolves to a person, a team or a bot\n');
      else {
        ctx.io.out(
          table(['KIND', 'ACCOUNT', 'NAME', 'EMAIL', 'CONNECTOR', 'LAST SEEN'], unmapped.map((a) => [a.kind, a.id, a.name ?? '', a.email ?? '', a.connector, a.lastSeenAt.slice(0, 10)])),
        );
        ctx.io.out(`${unmapped.length} unmapped account(s): add each under people[].accounts.<kind> in ${ctx.file}, or give the person's email\n`);
      }
      return 0;
    }
    const owned = new Map<string, number>();
    for (const t of await store.listTasks({ status: ['todo', 'in_progress', 'blocked', 'in_review'] })) {
      if (t.owner) owned.set(t.owner, (owned.get(t.owner) ?? 0) + 1);
    }
    const people = ctx.config.people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email ?? null,
      timezone: p.timezone ?? ctx.config.timezone,
      accounts: p.accounts,
      teams: ctx.config.teams.filter((t) => t.members.includes(p.id)).map((t) => t.id),
      openTasks: owned.get(p.id) ?? 0,
    }));
    if (asJson) ctx.io.out(`${JSON.stringify(people, null, opts.json ? 2 : undefined)}\n`);
    else if (people.length === 0) ctx.io.out(`no people configured: add them under people: in ${ctx.file}\n`);
    else {
      const accountText = (a: (typeof people)[number]['accounts']) =>
        Object.entries(a).map(([k, v]) => `${k}:${(v ?? []).join('/')}`).join(' ');
      ctx.io.out(
        table(['ID', 'NAME', 'EMAIL', 'TEAMS', 'OPEN', 'ACCOUNTS'], people.map((p) => [p.id, p.name, p.email ?? '', p.teams.join(','), String(p.openTasks), accountText(p.accounts)])),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

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
