/** `taskwire sandbox`: the fakes up, a config written that taskwire can run against, until Ctrl-C. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
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

  it('rejects a bad --port or --webhooks with a usage error', async () => {
    const { io } = captureIo();
    const signal = new AbortController().signal;
    await expect(sandboxCommand(io, { port: 'eighty' }, signal)).rejects.toThrow(/--port: "eighty" is not a port number/);
    await expect(sandboxCommand(io, { webhooks: 'not a url' }, signal)).rejects.toThrow(/--webhooks: "not a url" is not a URL/);
  });
});
