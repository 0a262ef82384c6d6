/**
 * `taskwire sandbox` and `taskwire demo`: the four tools' fakes on this machine, with the sandbox
 * team's work in them — to try taskwire with no accounts and no tokens.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { runDemo, type CliRunner } from '../sandbox/demo.js';
import { SANDBOX_ENV, startSandbox } from '../sandbox/sandbox.js';
import { pause, WEEK } from '../sandbox/week.js';
import type { Io } from './io.js';

export interface DemoCommandOptions {
  readonly watch?: boolean;
  readonly dir?: string;
}

export async function demoCommand(io: Io, opts: DemoCommandOptions, cli: CliRunner, signal: AbortSignal): Promise<number> {
  const r = await runDemo({ cli, out: io.out, watch: opts.watch === true, signal, ...(opts.dir ? { dir: resolve(io.cwd, opts.dir) } : {}) });
  return r.exitCode;
}

export interface SandboxCommandOptions {
  readonly port?: string;
  readonly out?: string;
  readonly webhooks?: string;
  readonly play?: boolean;
}

/** Starts the fakes, writes a ready config, and runs until `signal` (Ctrl-C). */
export async function sandboxCommand(io: Io, opts: SandboxCommandOptions, signal: AbortSignal): Promise<number> {
  const basePort = opts.port === undefined ? undefined : Number(opts.port);
  if (basePort !== undefined && (!Number.isInteger(basePort) || basePort < 1 || basePort > 65532)) throw new UsageError(`--port: "${opts.port}" is not a port number (1–65532)`);
  let webhooks: URL | undefined;
  try {
    webhooks = opts.webhooks === undefined ? undefined : new URL(opts.webhooks);
  } catch {
    throw new UsageError(`--webhooks: "${opts.webhooks}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  const sb = await startSandbox(basePort ? { basePort } : {});
  try {
    // Nothing lands in the working directory unless asked: the config, its store and reports go to a
    // temporary folder by default. Plan mode, so `taskwire plan` shows what taskwire would send.
    const file = opts.out ? resolve(io.cwd, opts.out) : join(mkdtempSync(join(tmpdir(), 'taskwire-sandbox-')), 'taskwire.sandbox.yaml');
    const home = dirname(file);
    mkdirSync(home, { recursive: true });
    writeFileSync(file, sb.config({ mode: 'plan', storePath: join(home, 'sandbox-data', 'sandbox.db'), reportsDir: join(home, 'sandbox-reports') }));
    if (webhooks) sb.sendWebhooksTo(webhooks.href);
    const env = Object.entries(SANDBOX_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    io.out(
      [
        'taskwire sandbox: the four tools and a support mailbox, faked on this machine, with a five-person team\'s work in them.',
        `  GitHub  ${sb.github.url}      (REST API; repo acme/infra)`,
        `  Jira    ${sb.jira.url}      (Cloud REST v3; project OPS)`,
        `  Slack   ${sb.slack.apiUrl}  (Web API; channel #ops)`,
        `  Notion  ${sb.notion.url}      (API 2025-09-03; "Client A tasks")`,
        `  Email   imap://127.0.0.1:${sb.email.port}  smtp://127.0.0.1:${sb.smtp.port}  (${sb.scenario.email.user}; clients' mail arrives as the week plays out)`,
        webhooks ? `  webhooks go to ${webhooks.href.replace(/\/$/, '')}/webhooks/<connector>, signed as the real tools sign them` : '  webhooks: none (add --webhooks http://127.0.0.1:8080 to send them to a running taskwire)',
        '',
        `Config written to ${file}. Its secrets are sandbox values, read from the environment:`,
        '',
        `  export ${env}`,
        `  npx taskwire --config ${file} sync        # one cycle; then tasks, explain, plan, report …`,
        `  npx taskwire --config ${file} run         # the daemon (pair with --webhooks above); the board at http://127.0.0.1:8080/`,
        `                                            # (sign in with the API token ${SANDBOX_ENV.TASKWIRE_API_TOKEN})`,
        '',
        'Follow-ups are in plan mode: `plan` lists what taskwire would send; set followups.mode: send to send them (to the fakes).',
        '',
        opts.play
          ? webhooks
            ? `The rest of the week plays once taskwire answers at ${webhooks.href.replace(/\/$/, '')}/readyz (start it with run, above), a step every 20 seconds. Ctrl-C stops the sandbox.`
            : 'The rest of the week plays now, a step every 20 seconds (no --webhooks: taskwire sees it at its next poll). Ctrl-C stops the sandbox.'
          : 'Ctrl-C stops the sandbox. (--play acts out the rest of the week in the tools.)',
        '',
      ].join('\n'),
    );
    if (opts.play) {
      if (webhooks) {
        await untilReady(new URL('readyz', webhooks.href.endsWith('/') ? webhooks.href : `${webhooks.href}/`), signal);
        if (!signal.aborted) io.out(`${new Date().toISOString().slice(11, 19)}  taskwire is ready: the week starts\n`);
      }
      for (const step of WEEK) {
        await pause(20_000, signal);
        if (signal.aborted) break;
        io.out(`${new Date().toISOString().slice(11, 19)}  ${step.what}\n`);
        await step.run(sb);
      }
    }
    await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    return 0;
  } finally {
    await sb.stop();
  }
}

/** Waits until taskwire answers ready (or the sandbox stops): the week must not play to nobody. */
async function untilReady(url: URL, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const ok = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) }).then((r) => r.ok, () => false);
    if (ok) return;
    await pause(1_000, signal);
  }
}
