/**
 * `taskwire store copy`: everything a store holds, copied into another — SQLite into PostgreSQL to scale
 * out, or back. Tasks and their history, accounts, cursors, flags, evidence, the outbox with what was
 * sent (so nothing is sent twice after the move), the inbox, status comments, item failures and the
 * once-per-cluster runs; ids kept. Leases are not copied: they belong to running processes.
 *
 * The source is read in one snapshot; the target is written in one transaction, checked row for row by
 * count before it commits — a copy that fails leaves the target as it was. The target must be empty,
 * and no taskwire may be running on the source (what it wrote during the copy would be lost).
 */
import type pg from 'pg';
import { StoreError } from '../errors.js';
import { deadLocalHolders } from './claims.js';
import { openDatabase } from './db.js';
import { createPool, migrate, quoteSchema } from './pg/db.js';

/** In the order they are written (a task before what refers to it). */
export const COPIED_TABLES = ['tasks', 'task_refs', 'task_history', 'accounts', 'cursors', 'flags', 'evidence', 'outbox', 'write_ledger', 'status_comments', 'inbox', 'item_failures', 'meta', 'runs'] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];

export type StoreLocation = { readonly driver: 'sqlite'; readonly path: string } | { readonly driver: 'postgres'; readonly url: string; readonly schema: string };

type Row = unknown[];

/** One side of a copy. Reads yield batches of rows, columns in the order `columns` gives. */
interface Side {
  columns(table: CopiedTable): Promise<string[]>;
  count(table: CopiedTable): Promise<number>;
  read(table: CopiedTable, columns: readonly string[]): AsyncIterable<Row[]>;
  write(table: CopiedTable, columns: readonly string[], rows: readonly Row[]): Promise<void>;
  /** After a table's rows are written (PostgreSQL: its id sequence moved past them). */
  finish(table: CopiedTable): Promise<void>;
  /** Running taskwire processes holding leases on it (their holder ids). */
  liveHolders(): Promise<string[]>;
  begin(mode: 'read' | 'write'): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

export interface CopyResult {
  readonly tables: readonly { table: CopiedTable; rows: number }[];
  readonly ms: number;
}

const BATCH_ROWS = 1_000;

export async function copyStore(from: StoreLocation, to: StoreLocation, onTable: (table: CopiedTable, rows: number) => void = () => undefined): Promise<CopyResult> {
  const t0 = performance.now();
  const src = await open(from);
  try {
    const dst = await open(to);
    try {
      await refuseUnsafe(src, dst);
      await src.begin('read');
      await dst.begin('write');
      try {
        const tables: { table: CopiedTable; rows: number }[] = [];
        for (const table of COPIED_TABLES) {
          const rows = await copyTable(src, dst, table);
          tables.push({ table, rows });
          onTable(table, rows);
        }
        await dst.commit();
        return { tables, ms: performance.now() - t0 };
      } catch (err) {
        await dst.rollback();
        throw err;
      } finally {
        await src.rollback();
      }
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

async function refuseUnsafe(src: Side, dst: Side): Promise<void> {
  const running = await src.liveHolders();
  if (running.length > 0) throw new StoreError(`a taskwire is running on the source (${running.join(', ')}): stop it first, or what it writes during the copy is lost`);
  for (const table of ['tasks', 'inbox', 'outbox'] as const) {
    const n = await dst.count(table);
    if (n > 0) throw new StoreError(`the target already holds ${n} ${table} row(s): copy into an empty store (a new database or store.schema)`);
  }
}

async function copyTable(src: Side, dst: Side, table: CopiedTable): Promise<number> {
  const theirs = new Set(await dst.columns(table));
  const columns = (await src.columns(table)).filter((c) => theirs.has(c));
  let n = 0;
  for await (const batch of src.read(table, columns)) {
    await dst.write(table, columns, batch);
    n += batch.length;
  }
  await dst.finish(table);
  const [read, written] = [await src.count(table), await dst.count(table)];
  if (read !== n || written !== n) throw new StoreError(`${table}: ${read} row(s) in the source, ${n} read, ${written} in the target; nothing was copied`);
  return n;
}

async function open(loc: StoreLocation): Promise<Side> {
  return loc.driver === 'sqlite' ? sqliteSide(loc.path) : await pgSide(loc.url, loc.schema);
}

// ---------------------------------------------------------------------------------------------- SQLite

/** A timestamp without a zone (SQLite text) is UTC. */
const utc = (v: unknown): unknown => (typeof v === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v.replace(' ', 'T')}Z` : v);

function sqliteSide(path: string): Side {
  // Opened (and migrated) as the store opens it: an older file is brought up to the current schema first.
  const db = openDatabase(path);
  const q = (table: string) => `"${table}"`;
  return {
    columns: async (table) => db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).all().map((r) => r.name),
    count: async (table) => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${q(table)}`).get()!.n,
    async *read(table, columns) {
      let batch: Row[] = [];
      for (const row of db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${q(table)}`).raw().iterate() as Iterable<Row>) {
        batch.push(row);
        if (batch.length === BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    async write(table, columns, rows) {
      const insert = db.prepare(`INSERT INTO ${q(table)} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const r of rows) insert.run(r.map((v) => (v instanceof Date ? v.toISOString() : v)));
    },
    finish: async () => undefined,
    async liveHolders() {
      const held = db.prepare<[], { holder: string }>(`SELECT holder FROM leases WHERE expires_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`).all().map((r) => r.holder);
      const dead = new Set(deadLocalHolders(held));
      return [...new Set(held.filter((h) => !dead.has(h)))];
    },
    // A read transaction holds the snapshot; a write transaction holds every row until the end.
    begin: async (mode) => void db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN'),
    commit: async () => void db.exec('COMMIT'),
    rollback: async () => {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    close: async () => void db.close(),
  } satisfies Side;
}

// ------------------------------------------------------------------------------------------ PostgreSQL

/** Parameters per statement stay under PostgreSQL's 65,535. */
const PG_PARAMS = 60_000;

async function pgSide(url: string, schema: string): Promise<Side> {
  const pool = createPool({ url, schema, poolSize: 1 });
  let client: pg.PoolClient | null = null;
  try {
    await migrate(pool, schema);
    client = await pool.connect();
  } catch (err) {
    await pool.end();
    throw err;
  }
  const c = client;
  c.on('error', () => undefined);
  const zoned = new Map<string, Set<string>>();
  const timestamptz = async (table: string) => {
    if (!zoned.has(table)) {
      const r = await c.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND data_type = 'timestamp with time zone'`, [schema, table]);
      zoned.set(table, new Set(r.rows.map((x) => x.column_name)));
    }
    return zoned.get(table)!;
  };
  const s = quoteSchema(schema);
  const columns = async (table: string) =>
    (await c.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, table])).rows.map((r) => r.column_name);
  return {
    columns,
    count: async (table) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}."${table}"`)).rows[0]!.n,
    async *read(table, columns) {
      // Keyset pages over the table's ctid order would not be stable across pages; a cursor is.
      const name = `copy_${table}`;
      await c.query(`DECLARE ${name} NO SCROLL CURSOR FOR SELECT ${columns.map((x) => `"${x}"`).join(', ')} FROM ${s}."${table}"`);
      try {
        for (;;) {
          const r = await c.query({ text: `FETCH ${BATCH_ROWS} FROM ${name}`, rowMode: 'array' });
          if (r.rows.length === 0) return;
          yield r.rows as Row[];
        }
      } finally {
        await c.query(`CLOSE ${name}`);
      }
    },
    async write(table, columns, rows) {
      const zones = await timestamptz(table);
      const per = Math.max(1, Math.floor(PG_PARAMS / columns.length));
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const values = chunk.map((_, r) => `(${columns.map((_, k) => `$${r * columns.length + k + 1}`).join(', ')})`).join(', ');
        const params = chunk.flatMap((row) => row.map((v, k) => (zones.has(columns[k]!) ? utc(v) : v)));
        await c.query(`INSERT INTO ${s}."${table}" (${columns.map((x) => `"${x}"`).join(', ')}) VALUES ${values}`, params);
      }
    },
    async finish(table) {
      if (!(await columns(table)).includes('id')) return;
      const seq = (await c.query<{ seq: string | null }>(`SELECT pg_get_serial_sequence($1, 'id') AS seq`, [`${s}."${table}"`])).rows[0]?.seq;
      if (seq) await c.query(`SELECT setval($1, coalesce((SELECT max(id) FROM ${s}."${table}"), 0) + 1, false)`, [seq]);
    },
    async liveHolders() {
      const held = (await c.query<{ holder: string }>(`SELECT holder FROM ${s}.leases WHERE expires_at >= now()`)).rows.map((r) => r.holder);
      return [...new Set(held)];
    },
    begin: async (mode) => void (await c.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN')),
    commit: async () => void (await c.query('COMMIT')),
    rollback: async () => void (await c.query('ROLLBACK').catch(() => undefined)),
    close: async () => {
      c.release();
      await pool.end();
    },
  } satisfies Side;
}

/** Where `--from` / `--to` point: `sqlite:<path>`, `postgres:<url>` (or a bare URL), `postgres:` alone for $DATABASE_URL. */
export function parseLocation(spec: string, env: Readonly<Record<string, string | undefined>>, schema: string): StoreLocation {
  const m = /^(sqlite|postgres|postgresql):(.*)$/s.exec(spec);
  if (/^postgres(ql)?:\/\//.test(spec)) return { driver: 'postgres', url: spec, schema };
  if (!m) {
    if (/\.(db|sqlite3?)$/.test(spec)) return { driver: 'sqlite', path: spec };
    throw new StoreError(`"${spec}": give sqlite:<path> or postgres:<url> (postgres: alone reads $DATABASE_URL)`);
  }
  if (m[1] === 'sqlite') {
    if (!m[2]) throw new StoreError('sqlite: needs the path of the store file (sqlite:data/taskwire.db)');
    return { driver: 'sqlite', path: m[2] };
  }
  const url = m[2] || env['DATABASE_URL'];
  if (!url) throw new StoreError('postgres: without a URL reads $DATABASE_URL, which is not set');
  return { driver: 'postgres', url, schema };
}

/** A location as it may be printed: the password never. */
export function describeLocation(loc: StoreLocation): string {
  if (loc.driver === 'sqlite') return `SQLite ${loc.path}`;
  try {
    const u = new URL(loc.url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname} (schema ${loc.schema})`;
  } catch {
    return `PostgreSQL (schema ${loc.schema})`;
  }
}
