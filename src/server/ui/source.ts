/**
 * The UI's snapshot of the world, rebuilt after a change rather than per request: a change (an
 * ingest here, or another replica saying something changed) marks it stale and tells every open page
 * through server-sent events; the next request rebuilds it once (concurrent requests share the
 * rebuild). A snapshot older than `maxAgeMs` is rebuilt too, so clock-driven flags (overdue) and
 * changes another replica made without saying so show up within that time.
 */
import type { Engine } from '../../core/engine.js';
import type { Identity } from '../../core/identity.js';
import { buildSnapshot, type UiSnapshot } from './snapshot.js';

export interface UiWorld {
  readonly engine: Engine;
  readonly identity: Identity;
  readonly now: number;
}

export interface SourceOptions {
  /** Loads and evaluates the world (a new engine from the store). */
  readonly load: () => Promise<UiWorld>;
  readonly teams: UiSnapshotTeams;
  readonly timezone: string;
  readonly maxAgeMs?: number;
  /** Changes closer together than this are told to pages once. */
  readonly debounceMs?: number;
}

type UiSnapshotTeams = Parameters<typeof buildSnapshot>[0]['teams'];

export class UiSource {
  private version = 0;
  private current: { snapshot: UiSnapshot; builtAt: number } | null = null;
  private building: Promise<UiSnapshot> | null = null;
  private readonly listeners = new Set<(version: number) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SourceOptions) {}

  /** The current snapshot, rebuilt first when something changed since. */
  async get(): Promise<UiSnapshot> {
    const c = this.current;
    if (c !== null && c.snapshot.version === this.version && Date.now() - c.builtAt < (this.opts.maxAgeMs ?? 30_000)) return c.snapshot;
    this.building ??= this.rebuild().finally(() => (this.building = null));
    return this.building;
  }

  /** Something changed: stale now, and open pages are told (once per burst). */
  changed(): void {
    this.version++;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const l of this.listeners) l(this.version);
    }, this.opts.debounceMs ?? 250);
    this.timer.unref();
  }

  subscribe(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async rebuild(): Promise<UiSnapshot> {
    const version = this.version;
    const world = await this.opts.load();
    const snapshot = buildSnapshot({ ...world, teams: this.opts.teams, timezone: this.opts.timezone, version });
    this.current = { snapshot, builtAt: Date.now() };
    return snapshot;
  }
}
