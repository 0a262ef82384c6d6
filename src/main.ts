/**
 * The composition root: the one place (with connectors/index.ts) that turns config into concrete parts —
 * the store, the identity registry, the connectors.
 */
import { resolve } from 'node:path';
import { findConnectorModule } from '../connectors/index.js';
import type { Connector, ConnectorContext, ConnectorState, ConnectorTiming } from '../connectors/port.js';
import type { Config, ConnectorConfig } from './config/schema.js';
import { Engine } from './core/engine.js';
import { buildIdentity, type Identity } from './core/identity.js';
import type { AccountRef } from './core/model.js';
import { TaskwireError } from './errors.js';
import { PgStore } from './store/pg/pg-store.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { TaskStore } from './store/store.js';

/** Where the store is, in words (`sqlite at /data/taskwire.db`, `postgres at db.internal:5432/taskwire`). */
export function storeDescription(config: Config, cwd: string): string {
  const s = config.store;
  if (s.driver === 'sqlite') return `sqlite at ${resolve(cwd, s.path)}`;
  const u = new URL(s.url);
  return `postgres at ${u.host}${u.pathname}, schema ${s.schema}, pool of ${s.poolSize}`;
}

/**
 * Opens (and migrates) the store. SQLite stamps its bookkeeping (first seen, sync times) with `now` —
 * the CLI's clock; PostgreSQL with the database's own clock, which every replica shares.
 */
export async function openStore(config: Config, cwd: string, now: () => number = Date.now): Promise<TaskStore> {
  const s = config.store;
  if (s.driver === 'postgres') return PgStore.open({ url: s.url, poolSize: s.poolSize, schema: s.schema });
  return SqliteStore.open(resolve(cwd, s.path), { clock: () => new Date(now()) });
}

export function identityFromConfig(config: Config, discovered: readonly AccountRef[] = []): Identity {
  return buildIdentity({ people: config.people, teams: config.teams, discovered });
}

/** The identity registry with the emails of accounts the tools told us about. */
export async function loadIdentity(config: Config, store: TaskStore): Promise<Identity> {
  return identityFromConfig(config, await store.listAccounts());
}

/** Whether this build can run a connector of this kind (its module can be loaded). */
export function connectorAvailable(c: ConnectorConfig): boolean {
  return findConnectorModule(c.type)?.load !== undefined;
}

/** A connector from its config entry; its implementation (and SDK) is loaded on first use. */
export async function createConnector(c: ConnectorConfig, ctx: ConnectorContext): Promise<Connector> {
  const module = findConnectorModule(c.type);
  if (module?.load === undefined) {
    throw new TaskwireError(`connector ${c.name}: the ${c.type} connector is not available in this build of taskwire`);
  }
  const create = (await module.load()) as (config: ConnectorConfig, ctx: ConnectorContext) => Connector;
  return create(c, ctx);
}

/** The accountability engine configured from the config's rules, calendar and teams. */
export function engineFromConfig(config: Config, identity: Identity): Engine {
  return new Engine({
    settings: config.rules,
    calendar: { timezone: config.timezone, ...config.calendar },
    identity,
    teamNames: Object.fromEntries(config.teams.map((t) => [t.id, t.name])),
  });
}

/**
 * The HTTP policy of a foreground command (`sync`, `check --online`): a tool that does not answer is
 * given up on within `http.timeout`, and a rate limit that resets later is reported, not waited out.
 */
export function foregroundTiming(config: Config): ConnectorTiming {
  return { giveUpAfterMs: config.http.timeout, requestTimeoutMs: config.http.timeout };
}

/** A connector's own little durable state (a token received once), kept in the store's meta table. */
export function connectorState(store: TaskStore, connector: string): ConnectorState {
  const ns = `connector:${connector}:`;
  return {
    get: (k) => store.getMeta(ns + k),
    set: (k, v) => store.setMeta(ns + k, v),
    list: async (prefix) => (await store.listMeta(ns + prefix)).map(([k, v]) => [k.slice(ns.length), v]),
  };
}
