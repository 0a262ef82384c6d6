/**
 * How a person names a task on the command line: its id (github-acme:acme/api#12), kind and key
 * (jira:OPS-14), its key (OPS-14) or URL, or a piece of its title ("firewall") when only one task has it.
 */
import type { Task } from '../core/model.js';
import { UsageError } from '../errors.js';
import type { TaskStore } from '../store/store.js';

export async function resolveTask(store: TaskStore, ref: string, resolve: (ref: string) => string | null = () => null): Promise<string> {
  const direct = resolve(ref) ?? (await store.resolveRef(ref));
  if (direct) return direct;
  const tasks = await store.listTasks();
  const byKey = tasks.filter((t) => t.key === ref);
  if (byKey.length === 1) return byKey[0]!.id;
  if (byKey.length > 1) throw new UsageError(`"${ref}" is the key of ${byKey.map((t) => t.id).join(', ')}: give the full id`);
  const bySlug = tasks.filter((t) => shortKey(t) === ref);
  if (bySlug.length === 1) return bySlug[0]!.id;
  const needle = ref.toLowerCase();
  const byTitle = tasks.filter((t) => t.deletedAt === null && t.title.toLowerCase().includes(needle));
  if (byTitle.length === 1) return byTitle[0]!.id;
  if (byTitle.length > 1) throw new UsageError(`"${ref}" is in the title of ${byTitle.length} tasks: ${byTitle.slice(0, 5).map(named).join('; ')}${byTitle.length > 5 ? '; …' : ''} — say more, or give a key`);
  throw new UsageError(`no task "${ref}": give its id (github-acme:acme/api#12), kind:key (jira:OPS-14), key, URL, or a piece of its title`);
}

const named = (t: Task) => `${shortKey(t)} "${t.title}"`;

/**
 * What to call a task on screen: its key where the tool has readable ones (OPS-14, acme/api#12); for
 * Notion pages, Slack messages and email threads, whose keys are ids, the tool and a slug of the title
 * (`notion:client-approval-on-scope`, `email:please-move-the-dns-cutover`) — also accepted wherever a
 * task is named.
 */
export function shortKey(t: Pick<Task, 'kind' | 'key' | 'title'>): string {
  if (t.kind !== 'notion' && t.kind !== 'slack' && t.kind !== 'email') return t.key;
  const slug = t.title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40).replace(/-$/, '');
  return `${t.kind}:${slug || t.key}`;
}
