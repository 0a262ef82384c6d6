/**
 * deploy/compose: PostgreSQL and two taskwire replicas behind one port. No container engine runs
 * compose here (and no registry serves postgres or caddy), so this checks what would break it: every
 * replica has its own id, reaches the database the postgres service creates, waits for it to be
 * healthy and has time to shut down; the proxy sends to every replica, on the port the config
 * listens on, only while it is ready; the config is valid with the variables .env.example lists.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../src/cli.js';
import { captureIo } from '../support/io.js';

const DIR = resolve(import.meta.dirname, '../../deploy/compose');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

type Service = { image?: string; build?: string; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }> | string[]; ports?: string[]; volumes?: string[]; stop_grace_period?: string; healthcheck?: unknown };
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dotenv = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
/** Compose's own interpolation of ${NAME} and ${NAME:?message} from .env. */
const interpolate = (v: string) => v.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_, n: string) => dotenv[n] ?? '');
const replicas = Object.entries(compose.services).filter(([, s]) => s.image?.includes('taskwire'));
const config = parse(read('taskwire.yaml')) as { server: { port: number }; store: { driver: string } };

describe('deploy/compose', () => {
  it('runs two replicas, each with its own id, on the database the postgres service creates', () => {
    expect(replicas.length).toBeGreaterThanOrEqual(2);
    expect(new Set(replicas.map(([, s]) => s.environment?.['TASKWIRE_REPLICA_ID'])).size).toBe(replicas.length);
    const pg = compose.services['postgres']!;
    expect(pg.healthcheck).toBeDefined();
    for (const [name, s] of replicas) {
      const url = new URL(interpolate(s.environment!['DATABASE_URL']!));
      expect(url.hostname, name).toBe('postgres');
      expect(url.username, name).toBe(pg.environment!['POSTGRES_USER']);
      expect(decodeURIComponent(url.password), name).toBe(interpolate(pg.environment!['POSTGRES_PASSWORD']!));
      expect(url.pathname, name).toBe(`/${pg.environment!['POSTGRES_DB']}`);
      expect((s.depends_on as Record<string, { condition: string }>)['postgres']?.condition, name).toBe('service_healthy');
      expect(Number.parseInt(s.stop_grace_period ?? '10s', 10), name).toBeGreaterThanOrEqual(15);
      expect(s.volumes, name).toContain('./taskwire.yaml:/config/taskwire.yaml:ro');
    }
    expect(config.store.driver).toBe('postgres');
  });

  it('publishes one port, and the proxy sends to every replica on the port it listens on, only while ready', () => {
    const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(published).toHaveLength(1);
    const caddy = read('Caddyfile');
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddy)![1]!.trim().split(/\s+/);
    expect(upstreams.sort()).toEqual(replicas.map(([name]) => `${name}:${config.server.port}`).sort());
    expect(caddy).toMatch(/health_uri \/readyz/);
    expect(caddy).toContain(`:${published[0]!.split(':').at(-1)}`);
  });

  it('its config is valid with what .env.example and compose set', async () => {
    const env: Record<string, string> = { ...dotenv, DATABASE_URL: interpolate(replicas[0]![1].environment!['DATABASE_URL']!) };
    for (const k of Object.keys(env)) if (env[k] === '') env[k] = `dummy-value-for-${k.toLowerCase()}`;
    const { io, stdout, stderr } = captureIo({ env, cwd: DIR });
    expect(await runCli(['-c', 'taskwire.yaml', 'check'], io), stderr()).toBe(0);
    expect(stdout()).toMatch(/store\s+postgres at postgres:5432\/taskwire/);
    expect(stdout() + stderr()).not.toContain(dotenv['POSTGRES_PASSWORD']);
  });
});
