/** `taskwire sandbox`: the fakes up, a config written that taskwire can run against, until Ctrl-C. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { sandboxCommand } from '../../src/cli/sandbox.js';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { captureIo } from '../support/io.js';

describe('taskwire sandbox', () => {
  it('starts the four fakes, writes a ready config, and a sync against it captures from all four', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sandbox-'));
    const ac = new AbortController();
    const { io, stdout } = captureIo({ cwd: dir });
    const running = sandboxCommand(io, { out: 'sb.yaml' }, ac.signal);
    for (let i = 0; i < 100 && !stdout().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 20));
    try {
      expect(stdout()).toMatch(/GitHub {2}http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout()).toMatch(/export GITHUB_TOKEN=ghp_sandbox /);
      expect(readFileSync(join(dir, 'sb.yaml'), 'utf8')).toMatch(/type: notion/);
      const sync = captureIo({ cwd: dir, env: { ...SANDBOX_ENV } });
      expect(await runCli(['-c', 'sb.yaml', 'sync'], sync.io), sync.stdout() + sync.stderr()).toBe(0);
      expect(sync.stdout()).toMatch(/notion-acme: first sync/);
    } finally {
      ac.abort();
      expect(await running).toBe(0);
    }
  });

  it('writes nothing into the working directory by default, in plan mode; --play waits for taskwire to be ready', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tw-sandbox-cwd-'));
    let ready = false;
    const server = createServer((req, res) => res.writeHead(req.url === '/readyz' && ready ? 200 : 503).end()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const ac = new AbortController();
    const { io, stdout } = captureIo({ cwd });
    const running = sandboxCommand(io, { play: true, webhooks: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, ac.signal);
    try {
      for (let i = 0; i < 100 && !stdout().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 20));
      const file = /Config written to (\S+)\./.exec(stdout())![1]!;
      expect(file.startsWith(tmpdir())).toBe(true);
      expect(readdirSync(cwd)).toEqual([]);
      expect(readFileSync(file, 'utf8')).toMatch(/mode: plan/);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(stdout()).not.toMatch(/the week starts/);
      ready = true;
      for (let i = 0; i < 200 && !stdout().includes('the week starts'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(stdout()).toMatch(/taskwire is ready: the week starts/);
    } finally {
      ac.abort();
      expect(await running).toBe(0);
      server.close();
    }
  });

  it('rejects a bad --port or --webhooks with a usage error', async () => {
    const { io } = captureIo();
    const signal = new AbortController().signal;
    await expect(sandboxCommand(io, { port: 'eighty' }, signal)).rejects.toThrow(/--port: "eighty" is not a port number/);
    await expect(sandboxCommand(io, { webhooks: 'not a url' }, signal)).rejects.toThrow(/--webhooks: "not a url" is not a URL/);
  });
});
