/**
 * PostgreSQL for tests: the database this run created on the machine's server (test/setup/postgres.ts:
 * 127.0.0.1:5432, trust auth — CI's and every session's), a fresh schema per store, dropped afterwards.
 * TASKWIRE_TEST_PG points at another server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { PgStore } from '../../src/store/pg/pg-store.js';

export const PG_URL = process.env['TASKWIRE_BENCH_PG'] ?? runDatabase();

/** The database the vitest global setup made for this run (the benchmarks set TASKWIRE_BENCH_PG to theirs). */
function runDatabase(): string {
  const url = inject('pgUrl');
  if (!url) throw new Error('no PostgreSQL database for this run: test/setup/postgres.ts sets one up (vitest globalSetup)');
  return url;
}

/** A schema name no other test uses. */
export const freshSchema = () => `tw_${process.pid}_${randomBytes(4).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** A PostgreSQL store in a schema of its own, and how to throw it away. */
export async function pgStore(): Promise<{ store: PgStore; schema: string; cleanup: () => Promise<void> }> {
  const schema = freshSchema();
  const store = await PgStore.open({ url: PG_URL, schema, poolSize: 5 });
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}
