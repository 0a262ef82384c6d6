/** Who should verify a task that is done: the person who asked for it, else the owner's team lead. Pure. */
import type { Identity } from './identity.js';
import type { Task } from './model.js';

export function verifierOf(identity: Identity, teams: readonly { readonly members: readonly string[]; readonly lead?: string | undefined }[]): (t: Task) => string | null {
  const leadOf = new Map<string, string>();
  for (const team of teams) if (team.lead) for (const m of team.members) if (!leadOf.has(m)) leadOf.set(m, team.lead);
  return (t) => {
    const r = t.reporter ? identity.resolve(t.reporter) : null;
    if (r?.kind === 'person' && r.personId !== t.owner) return r.personId;
    return t.owner ? (leadOf.get(t.owner) ?? null) : null;
  };
}
