/**
 * The `taskwire` command line. Each command loads the config the same way (--config, TASKWIRE_CONFIG,
 * config/taskwire.yaml); errors print their message — never a stack — and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, TaskwireError, UsageError } from './errors.js';
import { configJsonSchema } from './config/schema.js';
import { loadContext } from './cli/context.js';
import { processIo, type Io } from './cli/io.js';
import type { StoreCopyOptions } from './cli/store.js';
import type { SyncOptions } from './cli/sync.js';
import type { TasksOptions } from './cli/tasks.js';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

// Each command's module is imported when the command runs: `taskwire sync` does not load the report's
// charts, the daemon's server or the sandbox's fakes.

export function buildProgram(io: Io, setExit: (code: number) => void, clock: () => number = Date.now): Command {
  const program = new Command('taskwire')
    .description('One accountable task system across GitHub, Jira, Slack and Notion.')
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <file>', 'config file (default: $TASKWIRE_CONFIG, else config/taskwire.yaml)')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  const configFlag = () => program.opts<{ config?: string }>().config;

  program
    .command('check')
    .description('validate the config and summarize what it sets up')
    .option('--online', 'also reach each tool with its credentials and report what is wrong')
    .action(async (opts: { online?: boolean }) => setExit(await (await import('./cli/check.js')).checkCommand(loadContext(io, configFlag()), opts)));

  program
    .command('run')
    .description('the daemon: webhooks, polling, follow-ups and the daily report, until SIGTERM or SIGINT')
    .option('--port <port>', 'listen on this port instead of server.port')
    .action(async (opts: { port?: string }) => setExit(await (await import('./cli/run.js')).runCommand(loadContext(io, configFlag()), opts)));

  program
    .command('sync')
    .description('one whole cycle in the foreground: capture from the tools, evaluate, plan follow-ups (and send them in send mode)')
    .option('--once', 'one cycle, then exit (the default)')
    .option('--connector <name>', 'only this connector')
    .action(async (opts: SyncOptions) => setExit(await (await import('./cli/sync.js')).syncCommand(loadContext(io, configFlag()), opts, clock)));

  const config = program.command('config').description('config helpers');
  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editor completion)')
    .action(() => {
      io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      setExit(EXIT.ok);
    });

  program
    .command('plan')
    .description('the follow-ups taskwire would send (or is about to send): comments, messages, status changes, and why')
    .option('--json', 'print JSON')
    .option('--as-of <when>', 'what taskwire would have planned then, from the store as it stood: a date (that morning) or a date-time')
    .action(async (opts: { json?: boolean; asOf?: string }) => setExit(await (await import('./cli/followups.js')).planCommand(loadContext(io, configFlag()), opts, clock())));

  program
    .command('outbox')
    .description('what was sent, what waits, and the dead letters')
    .option('--dead', 'only follow-ups that could not be sent, with the reason')
    .option('--replay <id>', 'queue a dead (or planned) follow-up again')
    .option('--json', 'print JSON')
    .action(async (opts: { dead?: boolean; replay?: string; json?: boolean }) => setExit(await (await import('./cli/followups.js')).outboxCommand(loadContext(io, configFlag()), opts)));

  const store = program.command('store').description('the store itself');
  store
    .command('copy')
    .description('copy everything a store holds into an empty one: SQLite into PostgreSQL to scale out, or back (stop taskwire first)')
    .requiredOption('--from <store>', 'sqlite:<path>, or postgres:<url> (postgres: alone reads $DATABASE_URL)')
    .requiredOption('--to <store>', 'sqlite:<path>, or postgres:<url> (postgres: alone reads $DATABASE_URL)')
    .option('--schema <name>', 'the PostgreSQL schema (default public)')
    .action(async (opts: StoreCopyOptions) => setExit(await (await import('./cli/store.js')).storeCopyCommand(io, opts)));

  program
    .command('inbox')
    .description('webhook deliveries stored before they were acknowledged: waiting, retried, dead letters')
    .option('--dead', 'only deliveries that could not be processed, with the reason')
    .option('--replay <id>', 'queue a dead delivery again')
    .option('--json', 'print JSON')
    .action(async (opts: { dead?: boolean; replay?: string; json?: boolean }) => setExit(await (await import('./cli/inbox.js')).inboxCommand(loadContext(io, configFlag()), opts)));

  program
    .command('verify')
    .description('mark done work verified (when the tools cannot say so)')
    .argument('<task>', 'task id, kind:key (jira:OPS-14), key or URL')
    .option('--by <person>', 'who verified it (a person id from the config)')
    .option('--note <text>', 'how it was verified')
    .action(async (ref: string, opts: { by?: string; note?: string }) => setExit(await (await import('./cli/followups.js')).verifyCommand(loadContext(io, configFlag()), ref, opts, clock())));

  program
    .command('tasks')
    .description('list open tasks (--all for every task) with their flags')
    .option('--flag <code>', 'only tasks with this flag open (e.g. no_owner, overdue)')
    .option('--owner <person>', 'only tasks owned by this person id')
    .option('--connector <name>', 'only tasks from this connector')
    .option('--status <list>', 'open (the default), closed, or statuses, comma-separated (todo,in_progress,…)')
    .option('--all', 'every task, closed ones too')
    .option('--json', 'print a JSON array (each task with its open flags)')
    .option('--as-of <when>', 'as the tasks stood then: a date (that morning) or a date-time')
    .action(async (opts: TasksOptions) => setExit(await (await import('./cli/tasks.js')).tasksCommand(loadContext(io, configFlag()), opts, clock())));

  program
    .command('explain')
    .description('why a task is flagged: every flag with its reasons, the ownership, the graph and the risk inputs')
    .argument('<task>', 'task id (github-acme:acme/api#12), kind:key (jira:OPS-14), key or URL')
    .option('--json', 'print JSON')
    .option('--as-of <when>', 'as it stood then: a date (that morning) or a date-time')
    .action(async (ref: string, opts: { json?: boolean; asOf?: string }) => setExit(await (await import('./cli/explain.js')).explainCommand(loadContext(io, configFlag()), ref, opts, clock())));

  program
    .command('report')
    .description('the consolidated report: headline numbers, decisions needed, risk, verification, per person, health, changes, sync')
    .option('--format <format>', 'markdown, html, slack (Block Kit JSON) or json', 'markdown')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--since <date>', 'start of the window (default: the last delivered report, else the previous working day)')
    .option('--post', 'deliver it as the daemon does: write the files, post to report.post channels (send mode), move the window on')
    .option('--as-of <when>', 'the report as it would have been then: a date (that morning) or a date-time')
    .action(async (opts: { format?: string; out?: string; since?: string; post?: boolean; asOf?: string }) => setExit(await (await import('./cli/report.js')).reportCommand(loadContext(io, configFlag()), opts, clock())));

  program
    .command('health')
    .description('milestone and project health across tools: on track, at risk or off track, with reasons')
    .option('--json', 'print JSON')
    .option('--as-of <when>', 'as it stood then: a date (that morning) or a date-time')
    .action(async (opts: { json?: boolean; asOf?: string }) => setExit(await (await import('./cli/health.js')).healthCommand(loadContext(io, configFlag()), opts, clock())));

  program
    .command('backtest')
    .description("how right the flags would have been on the team's own history: each day rebuilt as it stood that morning, then compared with what happened")
    .option('--from <date>', 'first day evaluated (default: 90 days before --to, or the first task)')
    .option('--to <date>', 'last day evaluated (default: today)')
    .option('--every <step>', 'evaluate every working day (1d), every N working days (3wd), or every N days/weeks (2d, 1w)', '1d')
    .option('--json', 'print JSON')
    .option('--html <file>', 'also write an HTML page with the calibration chart and the lead-time histogram')
    .action(async (opts: { from?: string; to?: string; every?: string; json?: boolean; html?: string }) => setExit(await (await import('./cli/backtest.js')).backtestCommand(loadContext(io, configFlag()), opts, clock())));

  program
    .command('people')
    .description('list people from the identity registry')
    .option('--unmapped', 'list accounts seen in the tools that resolve to nobody')
    .option('--yaml', 'with --unmapped: print them as people: entries ready to paste into the config')
    .option('--json', 'print JSON')
    .action(async (opts: { unmapped?: boolean; json?: boolean; yaml?: boolean }) => setExit(await (await import('./cli/people.js')).peopleCommand(loadContext(io, configFlag()), opts)));

  program
    .command('demo')
    .description('the whole loop on the sandbox — four fake tools on this machine, no accounts: capture, flags, follow-ups, the daily report')
    .option('--watch', 'then keep the daemon running while the rest of the week plays out through signed webhooks (Ctrl-C stops)')
    .option('--dir <dir>', 'put the config, store and reports here (default: a new temporary directory)')
    .action(async (opts: { watch?: boolean; dir?: string }) => setExit(await untilInterrupted(async (signal) => (await import('./cli/sandbox.js')).demoCommand(io, opts, runCli, signal))));

  program
    .command('sandbox')
    .description('start the four fake tools with the sandbox team in them, write a ready config, run until Ctrl-C')
    .option('--port <port>', 'fixed ports: GitHub on <port>, Jira +1, Slack +2, Notion +3 (default: free ports)')
    .option('--out <file>', 'write the config here (default: a new temporary folder, with the store and reports beside it)')
    .option('--webhooks <url>', "send the fakes' signed webhooks to taskwire at this URL (e.g. http://127.0.0.1:8080)")
    .option('--play', 'act out the rest of the week in the tools, a step every 20 seconds (with --webhooks: once taskwire is ready)')
    .action(async (opts: { port?: string; out?: string; webhooks?: string; play?: boolean }) => setExit(await untilInterrupted(async (signal) => (await import('./cli/sandbox.js')).sandboxCommand(io, opts, signal))));

  return program;
}

/** Runs `fn` with a signal that aborts on the first SIGINT/SIGTERM. */
async function untilInterrupted<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The version in package.json (found from src/ when run from source, from dist/src/ when built). */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** Runs the CLI and returns the exit code (it never calls process.exit itself). */
export async function runCli(argv: readonly string[], io: Io, clock: () => number = Date.now): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c), clock);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.err(`taskwire: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof TaskwireError) {
      io.err(`taskwire: ${err.message}\n`);
      return EXIT.failure;
    }
    io.err(`taskwire: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env['TASKWIRE_DEBUG']) io.err(`${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    return EXIT.failure;
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv, processIo());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void main();
}
