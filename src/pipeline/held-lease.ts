/**
 * A lease this process holds while it can (a connector's poll, the evaluator): taken when free,
 * renewed at half its length, and given up — its `signal` aborted — the moment a renewal says another
 * holder has it, or when no renewal has succeeded for a whole lease length (the database unreachable:
 * the lease may have passed to another replica meanwhile). Writes made under it are fenced by its
 * token in the store, so even a holder that has not noticed yet changes nothing.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { LeaseFence } from '../store/leases.js';
import type { TaskStore } from '../store/store.js';

export interface HeldLeaseOptions {
  readonly ttlMs: number;
  /** While not held, how often to try taking it. */
  readonly retryMs: number;
  readonly onAcquired?: (lease: LeaseFence) => void;
  readonly onLost?: (lease: LeaseFence) => void;
}

export class HeldLease {
  private held: { lease: LeaseFence; renewedAt: number; control: AbortController } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: TaskStore,
    readonly name: string,
    private readonly holder: string,
    private readonly log: Logger,
    private readonly opts: HeldLeaseOptions,
  ) {}

  /** The lease while held, else null. */
  get current(): LeaseFence | null {
    return this.held?.lease ?? null;
  }

  /** Aborted when the current tenure ends (lost, or stopped); an aborted signal while not held. */
  get signal(): AbortSignal {
    return this.held?.control.signal ?? AbortSignal.abort();
  }

  /** Starts keeping it: tries now (resolved once tried), then renews — or tries again — on a timer. */
  start(): Promise<void> {
    this.running = true;
    const loop = async () => {
      if (this.held) await this.renew(this.held);
      else await this.acquire();
      if (this.running) this.timer = setTimeout(() => void loop(), this.held ? this.opts.ttlMs / 2 : this.opts.retryMs).unref();
    };
    return loop();
  }

  /** Stops keeping it and lets it go (another replica may take it at once). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const h = this.held;
    this.held = null;
    h?.control.abort(new Error(`lease ${this.name} given up`));
    if (h) await this.store.leases.release(h.lease).catch(() => undefined);
  }

  private async acquire(): Promise<void> {
    // A holder of this host that died (kill -9, then a restart) is not waited for.
    await this.store.leases.releaseOrphans().catch(() => 0);
    const lease = await within(this.store.leases.acquire(this.name, this.holder, this.opts.ttlMs), this.opts.ttlMs / 2).catch(() => null);
    if (!lease) return;
    if (!this.running) return void (await this.store.leases.release(lease).catch(() => undefined));
    const control = new AbortController();
    setMaxListeners(0, control.signal);
    this.held = { lease, renewedAt: Date.now(), control };
    this.log.info({ lease: this.name, token: lease.token }, 'lease taken');
    this.opts.onAcquired?.(lease);
  }

  private async renew(h: NonNullable<HeldLease['held']>): Promise<void> {
    // A renewal that does not answer in time (the database cut off) counts as unanswered, not as waited on.
    const ok = await within(this.store.leases.renew(h.lease, this.opts.ttlMs), this.opts.ttlMs / 2).catch(() => null);
    if (ok === true) {
      h.renewedAt = Date.now();
      return;
    }
    // Refused: another holder has it. Unanswered for a whole lease length: it may have by now.
    if (ok === false || Date.now() - h.renewedAt >= this.opts.ttlMs) {
      this.held = null;
      h.control.abort(new Error(`lease ${this.name} lost`));
      this.log.warn({ lease: this.name, token: h.lease.token, reason: ok === false ? 'taken by another replica' : 'not renewed in time' }, 'lease lost: stopped acting as its holder');
      this.opts.onLost?.(h.lease);
    }
  }
}

/** The promise's answer, or a rejection after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no answer in time')), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
