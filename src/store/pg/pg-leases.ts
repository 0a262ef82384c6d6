/** Leases on PostgreSQL, on the database's clock. See leases.ts. */
import type pg from 'pg';
import { releaseOrphanLeases, type LeaseFence, type LeaseRecord, type LeaseStore } from '../leases.js';
import { iso, type Queryable } from './db.js';

type Row = { name: string; holder: string; token: number; acquired_at: Date; renewed_at: Date; expires_at: Date; live: boolean };

export class PgLeases implements LeaseStore {
  constructor(private readonly pool: pg.Pool) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseFence | null> {
    const r = await this.pool.query<{ token: number }>(
      `INSERT INTO leases AS l (name, holder, token, acquired_at, renewed_at, expires_at)
       VALUES ($1, $2, 1, now(), now(), now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET
         token = CASE WHEN l.holder = excluded.holder AND l.expires_at >= now() THEN l.token ELSE l.token + 1 END,
         acquired_at = CASE WHEN l.holder = excluded.holder AND l.expires_at >= now() THEN l.acquired_at ELSE now() END,
         holder = excluded.holder, renewed_at = now(), expires_at = excluded.expires_at
       WHERE l.holder = excluded.holder OR l.expires_at < now()
       RETURNING token`,
      [name, holder, ttlMs],
    );
    return r.rows[0] ? { name, holder, token: r.rows[0].token } : null;
  }

  async renew(lease: LeaseFence, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE leases SET renewed_at = now(), expires_at = now() + $4 * interval '1 millisecond'
        WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at >= now()`,
      [lease.name, lease.holder, lease.token, ttlMs],
    );
    return r.rowCount === 1;
  }

  async release(lease: LeaseFence): Promise<void> {
    await this.pool.query(`UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = $1 AND holder = $2 AND token = $3`, [lease.name, lease.holder, lease.token]);
  }

  async list(): Promise<LeaseRecord[]> {
    const r = await this.pool.query<Row>('SELECT *, expires_at >= now() AS live FROM leases ORDER BY name');
    return r.rows.map((x) => ({ name: x.name, holder: x.holder, token: x.token, acquiredAt: iso(x.acquired_at)!, renewedAt: iso(x.renewed_at)!, expiresAt: iso(x.expires_at)!, live: x.live }));
  }

  async releaseOrphans(): Promise<number> {
    return releaseOrphanLeases(this);
  }

  /** Inside a write's transaction: the lease is still this holder's (and stays so until commit). */
  static async held(q: Queryable, lease: LeaseFence): Promise<boolean> {
    const r = await q.query('SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at >= now() FOR SHARE', [lease.name, lease.holder, lease.token]);
    return r.rowCount === 1;
  }
}
