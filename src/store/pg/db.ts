/**
 * The PostgreSQL connection (node-postgres): a pool confined to one schema, 64-bit integers read as
 * numbers (ids and counts stay far below 2^53), and the migrations applied on start under an advisory
 * lock, so replicas starting together migrate once and the others wait for it.
 */
import pg from 'pg';
import { StoreError } from '../../errors.js';
import { HOLDER } from '../claims.js';
import { pgMigrations, type PgMigration } from './migrations.js';

export type Queryable = pg.Pool | pg.PoolClient;

export interface PgOptions {
  readonly url: string;
  /** Connections in the pool. */
  readonly poolSize?: number;
  /** The schema taskwire's tables live in (created if missing). */
  readonly schema?: string;
}

/** 64-bit integers (ids, counts) as numbers; every other type as node-postgres reads it. */
const int8AsNumber = (v: string): number => Number(v);
const types = {
  getTypeParser: ((oid: number, format?: string): unknown => (oid === 20 ? int8AsNumber : (pg.types.getTypeParser(oid, format as 'text') as unknown))) as typeof pg.types.getTypeParser,
};

/** A schema name safe to put in SQL (validated, then quoted). */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new StoreError(`store.schema "${schema}": use letters, digits and _ (at most 63)`);
  return `"${schema}"`;
}

export function createPool(opts: PgOptions): pg.Pool {
  const schema = quoteSchema(opts.schema ?? 'public');
  // Each replica names itself (pg_stat_activity shows which connection is whose).
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, types, options: `-c search_path=${schema}`, connectionTimeoutMillis: 10_000, application_name: `taskwire ${HOLDER}`.slice(0, 63) });
  // An idle client the server dropped (a restart, pg_terminate_backend): the pool replaces it; the
  // error must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

const LOCK = 7_446_512_093; // pg_advisory_lock key for taskwire's migrations

/** Creates the schema if needed and applies the migrations not applied yet, once across replicas. */
export async function migrate(pool: pg.Pool, schema: string, list: readonly PgMigration[] = pgMigrations): Promise<number[]> {
  const client = await pool.connect().catch((err: unknown) => {
    throw new StoreError(`cannot connect to PostgreSQL (check store.url): ${(err as Error).message}`, { cause: err });
  });
  client.on('error', () => undefined);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
    await client.query('SELECT pg_advisory_lock($1)', [LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const latest = list.reduce((m, x) => Math.max(m, x.version), 0);
      const newest = Math.max(0, ...done);
      if (newest > latest) throw new StoreError(`the database is at schema version ${newest}, newer than this taskwire knows (${latest}); upgrade taskwire`);
      const applied: number[] = [];
      for (const m of [...list].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Runs `fn` in a transaction on one client; rolls back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  // A connection the server drops while it is checked out (pg_terminate_backend, a restart) fails the
  // query in flight; the event it also emits must not take the process down.
  const ignore = () => undefined;
  c.on('error', ignore);
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    c.off('error', ignore);
    c.release();
    return r;
  } catch (err) {
    // A connection that cannot even roll back (terminated by the server) is not given back to the pool.
    const broken = await c.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    c.off('error', ignore);
    c.release(broken);
    throw err;
  }
}

/** A timestamptz as the ISO text the rest of taskwire uses (null stays null). */
export const iso = (v: Date | string | null): string | null => (v === null ? null : (v instanceof Date ? v : new Date(v)).toISOString());

/** NOTIFY channels are per database: each schema (each deployment) has its own names. */
export const channelOf = (schema: string, what: 'inbox' | 'outbox' | 'changed' | 'touched') => `taskwire.${schema}.${what}`;
