/**
 * One dependency graph across tools. References are resolved through every alias a task has — its id
 * (`github-acme:acme/api#12`), its kind-qualified key (`jira:OPS-14`) and its URL — so a GitHub issue may
 * depend on a Jira ticket. References that name nothing we know are kept and reported, and resolve as
 * soon as their task appears. Updates are incremental: each returns the tasks whose view changed.
 */
import type { Task, TaskRef } from './model.js';

export function aliasesOf(t: Pick<Task, 'id' | 'kind' | 'key' | 'url'>): string[] {
  const out = [t.id, `${t.kind}:${t.key}`];
  if (t.url) out.push(normalizeUrl(t.url));
  return out;
}

export function normalizeUrl(u: string): string {
  return u.replace(/[#?].*$/, '').replace(/\/+$/, '').toLowerCase();
}

const NONE: readonly string[] = Object.freeze([]);
const refKey = (ref: TaskRef) => (/^https?:\/\//i.test(ref) ? normalizeUrl(ref) : ref);

export class TaskGraph {
  private readonly tasks = new Map<string, Task>();
  /** Normalized URL → task id (ids and kind:key references need no index). */
  private readonly alias = new Map<string, string>();
  private readonly connectorsOf = new Map<string, Set<string>>();
  private readonly deps = new Map<string, string[]>();
  private readonly unresolvedRefs = new Map<string, string[]>();
  private readonly parentOf = new Map<string, string>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly childrenOf = new Map<string, Set<string>>();
  /** Unresolved reference → the tasks waiting for it. */
  private readonly waiting = new Map<string, Set<string>>();
  private readonly cycleOf = new Map<string, readonly string[]>();
  private readonly sccOf = new Map<string, Set<string>>();

  constructor(tasks: Iterable<Task> = []) {
    const list = [...tasks];
    for (const t of list) this.index(t);
    for (const t of list) this.link(t);
    this.findAllCycles();
  }

  get size(): number {
    return this.tasks.size;
  }

  task(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  all(): IterableIterator<Task> {
    return this.tasks.values();
  }

  /**
   * A task id, a kind-qualified key (looked up under each connector of that kind, without an index of
   * its own) or a URL.
   */
  resolve(ref: TaskRef): string | undefined {
    if (this.tasks.has(ref)) return ref;
    if (/^https?:\/\//i.test(ref)) return this.alias.get(normalizeUrl(ref));
    const colon = ref.indexOf(':');
    if (colon <= 0) return undefined;
    const kind = ref.slice(0, colon);
    const key = ref.slice(colon + 1);
    for (const connector of this.connectorsOf.get(kind) ?? []) {
      const id = `${connector}:${key}`;
      if (this.tasks.has(id)) return id;
    }
    return undefined;
  }

  /** Resolved dependencies of a task. */
  dependenciesOf(id: string): readonly string[] {
    return this.deps.get(id) ?? NONE;
  }

  /** References (dependencies and parent) that name no known task. */
  unresolvedOf(id: string): readonly string[] {
    return this.unresolvedRefs.get(id) ?? [];
  }

  parent(id: string): string | undefined {
    return this.parentOf.get(id);
  }

  hasChildren(id: string): boolean {
    return (this.childrenOf.get(id)?.size ?? 0) > 0;
  }

  children(id: string): readonly string[] {
    return [...(this.childrenOf.get(id) ?? [])].sort();
  }

  /** Tasks that depend on this one directly. */
  dependentsOf(id: string): readonly string[] {
    return [...(this.dependents.get(id) ?? [])].sort();
  }

  /** The cycle this task is part of, as a closed path of ids, if any. */
  cycle(id: string): readonly string[] | undefined {
    return this.cycleOf.get(id);
  }

  /** Every unresolved reference, for reports. */
  unresolved(): { from: string; ref: string }[] {
    const out: { from: string; ref: string }[] = [];
    for (const [from, refs] of this.unresolvedRefs) for (const ref of refs) out.push({ from, ref });
    return out;
  }

  /**
   * Adds or replaces a task; returns the ids whose graph view may have changed (the task, its old and
   * new neighbours, tasks whose references now resolve, and the members of cycles it joined or broke).
   */
  upsert(t: Task): Set<string> {
    const affected = new Set<string>([t.id]);
    const old = this.tasks.get(t.id);
    if (old) {
      for (const n of this.neighbours(t.id)) affected.add(n);
      this.unlink(t.id);
      this.unindexUrl(old);
    }
    this.index(t);
    this.link(t);
    for (const n of this.neighbours(t.id)) affected.add(n);
    // References that were waiting for this task now resolve.
    const relinked: string[] = [];
    for (const a of this.waiting.size ? aliasesOf(t) : []) {
      const waiters = this.waiting.get(a);
      if (!waiters) continue;
      this.waiting.delete(a);
      for (const w of waiters) {
        const wt = this.tasks.get(w);
        if (!wt) continue;
        this.unlink(w);
        this.link(wt);
        affected.add(w);
        relinked.push(w);
      }
    }
    this.recheckCycles([t.id, ...relinked], affected);
    return affected;
  }

  remove(id: string): Set<string> {
    const t = this.tasks.get(id);
    const affected = new Set<string>();
    if (!t) return affected;
    for (const n of this.neighbours(id)) affected.add(n);
    const dependents = [...(this.dependents.get(id) ?? []), ...(this.childrenOf.get(id) ?? [])];
    this.unlink(id);
    this.unindexUrl(t);
    this.tasks.delete(id);
    // Whoever pointed at it now holds an unresolved reference.
    for (const d of new Set(dependents)) {
      const dt = this.tasks.get(d);
      if (!dt) continue;
      this.unlink(d);
      this.link(dt);
    }
    this.recheckCycles([id, ...dependents], affected);
    return affected;
  }

  private index(t: Task) {
    this.tasks.set(t.id, t);
    let conns = this.connectorsOf.get(t.kind);
    if (!conns) this.connectorsOf.set(t.kind, (conns = new Set()));
    conns.add(t.connector);
    if (t.url) {
      const u = normalizeUrl(t.url);
      if (!this.alias.has(u)) this.alias.set(u, t.id);
    }
  }

  private link(t: Task) {
    const resolved: string[] = [];
    const unresolved: string[] = [];
    for (const ref of t.dependsOn) {
      const id = this.resolve(ref);
      if (id === undefined) {
        unresolved.push(ref);
        this.wait(ref, t.id);
      } else if (id !== t.id && !resolved.includes(id)) {
        resolved.push(id);
        addTo(this.dependents, id, t.id);
      }
    }
    if (t.parent !== null) {
      const p = this.resolve(t.parent);
      if (p === undefined) {
        unresolved.push(t.parent);
        this.wait(t.parent, t.id);
      } else if (p !== t.id) {
        this.parentOf.set(t.id, p);
        addTo(this.childrenOf, p, t.id);
      }
    }
    // Most tasks depend on nothing: no entry rather than 100k empty arrays.
    if (resolved.length) this.deps.set(t.id, resolved);
    if (unresolved.length) this.unresolvedRefs.set(t.id, unresolved);
  }

  private unlink(id: string) {
    for (const d of this.deps.get(id) ?? []) this.dependents.get(d)?.delete(id);
    const p = this.parentOf.get(id);
    if (p !== undefined) this.childrenOf.get(p)?.delete(id);
    this.parentOf.delete(id);
    this.deps.delete(id);
    for (const ref of this.unresolvedRefs.get(id) ?? []) this.waiting.get(refKey(ref))?.delete(id);
    this.unresolvedRefs.delete(id);
  }

  private unindexUrl(t: Task) {
    if (!t.url) return;
    const u = normalizeUrl(t.url);
    if (this.alias.get(u) === t.id) this.alias.delete(u);
  }

  private wait(ref: string, id: string) {
    addTo(this.waiting, refKey(ref), id);
  }

  private neighbours(id: string): string[] {
    const p = this.parentOf.get(id);
    return [...(this.deps.get(id) ?? []), ...(this.dependents.get(id) ?? []), ...(this.childrenOf.get(id) ?? []), ...(p ? [p] : [])];
  }

  /** Tarjan's strongly connected components over dependency edges, iteratively (no recursion limit). */
  private findAllCycles() {
    this.cycleOf.clear();
    this.sccOf.clear();
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    let next = 0;
    for (const root of this.tasks.keys()) {
      // Most tasks depend on nothing: alone they cannot start a cycle (they are visited if reached).
      if (index.has(root) || (this.deps.get(root)?.length ?? 0) === 0) continue;
      const work: [string, number][] = [[root, 0]];
      while (work.length) {
        const frame = work[work.length - 1]!;
        const [v, i] = frame;
        if (i === 0) {
          index.set(v, next);
          low.set(v, next);
          next++;
          stack.push(v);
          onStack.add(v);
        }
        const out = this.deps.get(v) ?? [];
        if (i < out.length) {
          frame[1] = i + 1;
          const w = out[i]!;
          if (!index.has(w)) work.push([w, 0]);
          else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(v)!));
        if (low.get(v) === index.get(v)) {
          const scc = new Set<string>();
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            scc.add(w);
          } while (w !== v);
          if (scc.size > 1) this.recordScc(scc);
        }
      }
    }
  }

  /**
   * After edges around `ids` changed: forget the cycles they were in and find the strongly connected
   * set of each again (what reaches it ∩ what it reaches), so the result matches a full Tarjan pass.
   */
  private recheckCycles(ids: Iterable<string>, affected: Set<string>) {
    const candidates = new Set<string>();
    for (const id of ids) {
      candidates.add(id);
      const old = this.sccOf.get(id);
      if (!old) continue;
      for (const m of old) {
        candidates.add(m);
        affected.add(m);
        this.sccOf.delete(m);
        this.cycleOf.delete(m);
      }
    }
    for (const c of candidates) {
      if (!this.tasks.has(c) || this.sccOf.has(c)) continue;
      const forward = this.reach(c, (v) => this.deps.get(v) ?? []);
      if (!forward.has(c)) continue;
      const backward = this.reach(c, (v) => this.dependents.get(v) ?? []);
      const scc = new Set([...forward].filter((v) => backward.has(v)));
      this.recordScc(scc);
      for (const m of scc) affected.add(m);
    }
  }

  /** Everything reachable from `start` in one or more steps. */
  private reach(start: string, next: (v: string) => Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const w of next(queue[i]!)) {
        if (!seen.has(w)) {
          seen.add(w);
          queue.push(w);
        }
      }
    }
    return seen;
  }

  /** Every member gets a shortest closed path through itself within the set. */
  private recordScc(scc: Set<string>) {
    for (const m of scc) {
      this.sccOf.set(m, scc);
      const path = this.pathBackWithin(m, scc) ?? [m];
      this.cycleOf.set(m, [...path, m]);
    }
  }

  /** A shortest dependency path from `start` back to itself inside `members` (BFS in id order). */
  private pathBackWithin(start: string, members: Set<string>): string[] | null {
    const prev = new Map<string, string>();
    const queue: string[] = [];
    const visit = (from: string) => {
      for (const w of [...(this.deps.get(from) ?? [])].sort()) {
        if (members.has(w) && !prev.has(w)) {
          prev.set(w, from);
          queue.push(w);
        }
      }
    };
    visit(start);
    for (let i = 0; i < queue.length && !prev.has(start); i++) visit(queue[i]!);
    if (!prev.has(start)) return null;
    const path: string[] = [];
    for (let c = prev.get(start)!; c !== start; c = prev.get(c)!) path.unshift(c);
    return [start, ...path];
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string) {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(value);
}
