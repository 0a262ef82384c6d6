/** Leases on SQLite (one process in practice; the same code path as on PostgreSQL). See leases.ts. */
import type { Db } from './db.js';
import { releaseOrphanLeases, type LeaseFence, type LeaseRecord, type LeaseStore } from './leases.js';

type Row = { name: string; holder: string; token: number; acquired_at: string; renewed_at: string; expires_at: string };

export class SqliteLeases implements LeaseStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {
    this.stmt = {
      acquire: db.prepare<{ name: string; holder: string; now: string; until: string }, { token: number }>(
        `INSERT INTO leases (name, holder, token, acquired_at, renewed_at, expires_at) VALUES (@name, @holder, 1, @now, @now, @until)
         ON CONFLICT (name) DO UPDATE SET
           token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at >= @now THEN leases.token ELSE leases.token + 1 END,
           acquired_at = CASE WHEN leases.holder = excluded.holder AND leases.expires_at >= @now THEN leases.acquired_at ELSE @now END,
           holder = excluded.holder, renewed_at = @now, expires_at = @until
         WHERE leases.holder = excluded.holder OR leases.expires_at < @now
         RETURNING token`,
      ),
      renew: db.prepare(`UPDATE leases SET renewed_at = @now, expires_at = @until WHERE name = @name AND holder = @holder AND token = @token AND expires_at >= @now`),
      release: db.prepare(`UPDATE leases SET expires_at = @past WHERE name = @name AND holder = @holder AND token = @token`),
      list: db.prepare<[], Row>('SELECT * FROM leases ORDER BY name'),
      held: db.prepare<{ name: string; holder: string; token: number; now: string }, { n: number }>(
        'SELECT count(*) AS n FROM leases WHERE name = @name AND holder = @holder AND token = @token AND expires_at >= @now',
      ),
    };
  }

  private iso(offsetMs = 0): string {
    return new Date(this.clock() + offsetMs).toISOString();
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseFence | null> {
    const r = this.stmt.acquire.get({ name, holder, now: this.iso(), until: this.iso(ttlMs) });
    return r === undefined ? null : { name, holder, token: r.token };
  }

  async renew(lease: LeaseFence, ttlMs: number): Promise<boolean> {
    return this.stmt.renew.run({ ...lease, now: this.iso(), until: this.iso(ttlMs) }).changes === 1;
  }

  async release(lease: LeaseFence): Promise<void> {
    this.stmt.release.run({ ...lease, past: this.iso(-1) });
  }

  async list(): Promise<LeaseRecord[]> {
    const now = this.iso();
    return this.stmt.list.all().map((r) => ({ name: r.name, holder: r.holder, token: r.token, acquiredAt: r.acquired_at, renewedAt: r.renewed_at, expiresAt: r.expires_at, live: r.expires_at >= now }));
  }

  async releaseOrphans(): Promise<number> {
    return releaseOrphanLeases(this);
  }

  /** Inside a write's transaction: the lease is still this holder's. */
  heldSync(lease: LeaseFence): boolean {
    return this.stmt.held.get({ ...lease, now: this.iso() })!.n === 1;
  }
}
