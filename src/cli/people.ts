/** `taskwire people`: the identity registry, and with `--unmapped` the accounts that resolve to nobody. */
import { peopleYaml } from '../core/people-yaml.js';
import { loadIdentity, openStore } from '../main.js';
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

export { peopleYaml };
