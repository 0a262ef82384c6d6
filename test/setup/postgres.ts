/**
 * Vitest global setup: a database of this run's own on the machine's PostgreSQL server (CI's and every
 * session's: 127.0.0.1:5432, trust auth), created before the suites and dropped after them, so two
 * runs never meet. Each PostgreSQL test still takes a schema of its own inside it. TASKWIRE_TEST_PG
 * names another server (any database on it: this run's is created beside it).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const SERVER = process.env['TASKWIRE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function onServer<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 5_000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${new URL(SERVER).host} (${(err as Error).message}); the PostgreSQL suites need it — see DEVELOPERS.md, or set TASKWIRE_TEST_PG`);
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = `taskwire_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE "${db}"`));
  const url = withDatabase(SERVER, db);
  project.provide('pgUrl', url);
  return async () => {
    await onServer((c) => c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
