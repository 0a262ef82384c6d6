/**
 * A foreground command against tools that are down says so, one line per connector, and gives up within
 * about `http.timeout` (30 s by default): no minutes of retries, no stack traces, no silent wait for a
 * rate limit to reset.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { SANDBOX_ENV, sandboxConfig } from '../../src/sandbox/sandbox.js';
import { blackHole, freePort } from '../support/daemon.js';

const ROOT = resolve(import.meta.dirname, '../..');

function cli(dir: string, args: readonly string[], env: Record<string, string> = SANDBOX_ENV): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/cli.ts'), '-c', 'taskwire.yaml', ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, out, err, ms: Date.now() - started })));
}

describe('sync against tools that are down', () => {
  it('says which tool is unreachable and why, one line each, and exits non-zero within 40 s', async () => {
    const [hangJira, hangNotion] = [await blackHole(), await blackHole()];
    const refused = `http://127.0.0.1:${await freePort()}`;
    const dir = mkdtempSync(join(tmpdir(), 'tw-down-'));
    writeFileSync(join(dir, 'taskwire.yaml'), sandboxConfig({ github: refused, jira: hangJira.url, slack: refused, notion: hangNotion.url, imapPort: Number(new URL(refused).port), smtpPort: Number(new URL(refused).port) }, { mode: 'plan' }));
    try {
      const r = await cli(dir, ['sync']);
      expect(r.code, r.out + r.err).toBe(1);
      expect(r.ms).toBeLessThan(40_000);
      const lines = r.out.split('\n');
      expect(lines.filter((l) => l.startsWith('github-acme: '))).toEqual([`github-acme: unreachable — connection refused at ${refused}`]);
      expect(lines.filter((l) => l.startsWith('slack-acme: '))).toEqual([`slack-acme: unreachable — connection refused at ${refused}`]);
      expect(lines.filter((l) => l.startsWith('jira-acme: '))).toEqual([`jira-acme: unreachable — no answer in time at ${hangJira.url}`]);
      expect(lines.filter((l) => l.startsWith('notion-acme: '))).toEqual([`notion-acme: unreachable — no answer in time at ${hangNotion.url}`]);
      expect(lines.filter((l) => l.startsWith('email-acme: '))).toEqual([`email-acme: unreachable — connection refused at 127.0.0.1:${new URL(refused).port}`]);
      // No stack traces, no HTTP 500 for a refused connection, no "fetch failed".
      expect(r.out + r.err).not.toMatch(/^\s+at /m);
      expect(r.out + r.err).not.toMatch(/HTTP 500|fetch failed/);
    } finally {
      await hangJira.close();
      await hangNotion.close();
    }
  }, 60_000);

  it("reports GitHub's spent hourly budget with its reset time instead of waiting an hour", async () => {
    const fake = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: [{ title: 'One' }] }] }, { self: 'taskwire-bot' });
    await fake.start();
    fake.primaryRateLimitSpent(100, 3600);
    const dir = mkdtempSync(join(tmpdir(), 'tw-ratelimit-'));
    writeFileSync(join(dir, 'taskwire.yaml'), `timezone: Europe/Berlin\nstore: { path: data/tw.db }\nconnectors:\n  - { name: github-acme, type: github, baseUrl: "${fake.url}", token: "\${GH_TOKEN}", repos: [acme/infra] }\n`);
    try {
      const r = await cli(dir, ['sync'], { GH_TOKEN: 'ghp_faketoken' });
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(15_000);
      const reset = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + 3600_000));
      expect(r.out.split('\n').filter((l) => l.startsWith('github-acme: '))).toEqual([`github-acme: rate limit spent, resets ${reset}`]);
    } finally {
      await fake.stop();
    }
  }, 30_000);
});
