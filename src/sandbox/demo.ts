/**
 * `taskwire demo`: the whole loop on the sandbox, in a few readable screens, in well under a minute.
 *
 * Day 1, taskwire is installed: the first sync captures the team's work from all four tools (fakes on
 * 127.0.0.1, spoken to over real HTTP through the real SDKs), evaluates it, and — seeding silently —
 * writes only one status comment per flagged ticket. Overnight people keep working in their tools; the
 * next morning's cycle sees it, edits those comments in place, messages the people who now have
 * something to do, posts a triage for the ownerless work, and the daily report replaces the stand-up.
 *
 * Everything printed is read back from the store or from what the fakes recorded: nothing is staged.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { Daemon } from '../daemon.js';
import type { Io } from '../cli/io.js';
import { loadContext } from '../cli/context.js';
import { withLiveEvaluation } from '../cli/live.js';
import { taskHeadline, TOOL_NAME } from '../core/labels.js';
import { isClosed, type Flag, type Task } from '../core/model.js';
import type { OutboxRow } from '../store/outbox.js';
import { openStore } from '../main.js';
import { CLIENT, cutoverRequest, PEOPLE, SLACK_OPS, SLACK_PLATFORM, SUPPORT_MAILBOX, TEAM_TZ } from './scenario.js';
import { SANDBOX_ENV, startSandbox, type Sandbox } from './sandbox.js';
import { pause, WEEK } from './week.js';

/** The CLI entry (runCli), passed in so the demo drives the real commands without importing the CLI. */
export type CliRunner = (argv: readonly string[], io: Io, clock: () => number) => Promise<number>;

export interface DemoOptions {
  readonly cli: CliRunner;
  /** Where the config, store and reports go (default: a new temporary directory). */
  readonly dir?: string;
  readonly out: (text: string) => void;
  /** The wall clock (tests pin it). */
  readonly now?: () => number;
  /** Afterwards, keep the daemon running on the sandbox while the week plays forward through webhooks. */
  readonly watch?: boolean;
  /** Between two steps of the week (watch mode). */
  readonly stepMs?: number;
  /** Ends watch mode (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface DemoResult {
  readonly dir: string;
  readonly htmlReport: string;
  readonly exitCode: number;
}

const HOUR = 3_600_000;
const ORDER = ['github-acme', 'jira-acme', 'slack-acme', 'notion-acme', 'email-acme'];
const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** A shifting clock: real time plus an offset, so the demo can skip to the next morning. */
class DemoClock {
  private offset = 0;
  constructor(private readonly wall: () => number) {}
  readonly now = (): number => this.wall() + this.offset;
  /** Jumps to `at` (ms); time keeps running from there. */
  set(at: number): void {
    this.offset += at - this.now();
  }
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const clock = new DemoClock(opts.now ?? Date.now);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'taskwire-demo-'));
  mkdirSync(dir, { recursive: true });
  const say = (text = '') => opts.out(`${text}\n`);
  const sb = await startSandbox({ now: clock.now(), clock: () => new Date(clock.now()) });
  const configFile = join(dir, 'taskwire.yaml');
  writeFileSync(configFile, sb.config({ storePath: 'data/taskwire.db', reportsDir: 'reports', mode: 'send' }));
  const env = { ...process.env, ...SANDBOX_ENV, TASKWIRE_CONFIG: configFile };
  const io = (indent = '  '): Io => ({
    out: (t) => opts.out(indentText(t, indent)),
    err: (t) => opts.out(indentText(t, indent)),
    isTTY: false,
    env,
    cwd: dir,
  });
  const cli = (args: string[], indent?: string) => opts.cli(['--config', configFile, ...args], io(indent), clock.now);
  const local = (ms: number) => DateTime.fromMillis(ms, { zone: TEAM_TZ });
  const when = (ms: number) => local(ms).toFormat('cccc d LLLL, HH:mm');
  let failures = 0;

  try {
    // ---------------------------------------------------------------- day 1: install
    heading(say, `1. ${when(clock.now())} — taskwire is installed and syncs for the first time`);
    say('A five-person IT team (Priya leads; Alex, Sam, Jordan, Mia) is migrating client A. Its work lives in');
    say('GitHub, Jira, Slack and Notion, and clients write to a shared support mailbox — here, faithful fakes of those');
    say('APIs on 127.0.0.1 (IMAP and SMTP for the mailbox), reached over real connections through the official SDKs.');
    say(`No accounts, no tokens, nothing leaves this machine. Files: ${dir}`);
    say();
    say('$ taskwire sync');
    failures += await cli(['sync'], '  ');
    say();
    const day1 = await snapshot(dir, configFile, env, clock.now());
    say(`Captured ${day1.tasks.length} tasks: ${perTool(day1.tasks)}.`);
    say(`${day1.tasks.filter((t) => isClosed(t.status)).length} of them are finished work from the last quarter — what the deadline-risk model learns pace from.`);
    say();
    heading(say, '2. What stands in the way of delivery — every flag with its reason');
    printFlags(say, day1);
    heading(say, '3. What taskwire wrote back on day 1');
    say('The first sync seeds silently: nobody gets a message about problems that existed before taskwire.');
    say('Each flagged ticket gets one status comment in its own tool (edited in place from now on), and the');
    say('blocked ones move to their tool\'s blocked state:');
    say();
    const sent1 = await sentRows(dir, configFile, env);
    printWrites(say, sent1, day1, { fullComments: ['jira-acme:OPS-12'] });

    // ---------------------------------------------------------------- overnight
    heading(say, `4. Overnight — people keep working in their own tools`);
    // 17:40: the client writes to the shared mailbox (later, if the demo starts after that).
    const requestMs = Math.max(local(clock.now()).set({ hour: 17, minute: 40, second: 0, millisecond: 0 }).toMillis(), clock.now() + 60_000);
    clock.set(requestMs);
    sb.email.deliver(cutoverRequest(clock.now()));
    say(`${local(clock.now()).toFormat('HH:mm')}  Email to ${SUPPORT_MAILBOX} — ${CLIENT.name} (client A): "Please move the DNS cutover" to Tuesday evening, before their change freeze`);
    const evening = local(clock.now()).set({ hour: 21, minute: 4, second: 0, millisecond: 0 });
    const eveningMs = Math.max(evening.toMillis(), clock.now() + 60_000);
    const nextMorning = nextWorkingMorning(eveningMs);
    clock.set(eveningMs);
    const mia = person('mia');
    const priya = person('priya');
    const jordan = person('jordan');
    const ts = await sb.slack.post(SLACK_OPS, mia.slack, 'the nightly backup job failed again, can someone look?');
    await sb.slack.react(SLACK_OPS, ts, mia.slack, 'ticket');
    say(`${local(clock.now()).toFormat('HH:mm')}  Slack #ops — Mia: "the nightly backup job failed again, can someone look?", and she reacts :ticket:`);
    clock.set(eveningMs + 40 * 60_000);
    sb.github.updateIssue('acme/infra', 12, { assignees: [person('alex').github] }, priya.github);
    say(`${local(clock.now()).toFormat('HH:mm')}  GitHub acme/infra#12 — Priya assigns the firewall rule to Alex`);
    clock.set(nextMorning - 75 * 60_000);
    sb.github.addComment('acme/infra', 14, jordan.github, 'Three of the five pipelines run on the new runners; the last two move today.');
    say(`${local(clock.now()).toFormat('HH:mm')}  GitHub acme/infra#14 — Jordan: "Three of the five pipelines run on the new runners…"`);
    clock.set(nextMorning - 30 * 60_000);
    say(`${local(clock.now()).toFormat('HH:mm')}  Priya checks the health checks in staging, and tells taskwire:`);
    say('$ taskwire verify OPS-14 --by priya --note "all services healthy in staging"');
    failures += await cli(['verify', 'OPS-14', '--by', 'priya', '--note', 'all services healthy in staging'], '  ');
    say();

    // ---------------------------------------------------------------- day 2: the morning cycle
    clock.set(nextMorning);
    heading(say, `5. ${when(clock.now())} — the morning cycle`);
    say('$ taskwire sync');
    failures += await cli(['sync'], '  ');
    say();
    const day2 = await snapshot(dir, configFile, env, clock.now());
    const sent2 = (await sentRows(dir, configFile, env)).filter((r) => !sent1.some((s) => s.id === r.id));
    const opened = day2.flags.filter((f) => !day1.flags.some((g) => g.taskId === f.taskId && g.code === f.code));
    const resolved = day1.flags.filter((f) => !day2.flags.some((g) => g.taskId === f.taskId && g.code === f.code));
    say(`Since yesterday: ${opened.length} new flag${opened.length === 1 ? '' : 's'}, ${resolved.length} resolved.`);
    const w = Math.max(...[...resolved, ...opened].map((f) => day2.label(f.taskId).length));
    for (const f of resolved) say(`  resolved  ${day2.label(f.taskId).padEnd(w)}  ${f.code}`);
    for (const f of opened) say(`  new       ${day2.label(f.taskId).padEnd(w)}  ${f.code.padEnd(18)} ${f.reason}`);
    say();
    say('What it sent this morning:');
    say();
    printWrites(say, sent2, day2, { fullComments: [], showMessages: true });
    printCommentLedger(say, sb, day2);

    // ---------------------------------------------------------------- the report
    heading(say, '6. The daily report — instead of the stand-up');
    say('$ taskwire report --post      (as the daemon does each morning: files in reports/, a summary to #platform-team)');
    failures += await cli(['report', '--post'], '  ');
    const htmlReport = resolve(dir, 'reports', 'latest.html');
    say();
    say(`$ cat ${join('reports', 'latest.md')}`);
    say();
    say(indentText(readFileSync(resolve(dir, 'reports', 'latest.md'), 'utf8'), '  ').trimEnd());
    say();
    heading(say, '7. How right are these flags? The backtest on the team\'s last quarter');
    say('Each working day of the past quarter rebuilt as it stood that morning (from the tools\' own history,');
    say('nothing later), the same rules and forecast run on it, and compared with what happened:');
    say();
    say('$ taskwire backtest');
    failures += await cli(['backtest'], '  ');
    say();
    heading(say, 'Done');
    say(`HTML report:   ${htmlReport}`);
    say(`Config:        ${configFile}   (store: ${join(dir, 'data', 'taskwire.db')})`);
    say(`Took ${((Date.now() - started) / 1000).toFixed(1)}s.`);
    if (opts.watch) {
      say();
      await watchWeek({ sb, dir, configFile, env, clock, say, stepMs: opts.stepMs ?? 6000, signal: opts.signal });
    } else {
      say('Next:');
      say('  npm run demo -- --watch          the daemon on the sandbox, the rest of the week playing out through signed webhooks,');
      say('                                   with the board, the graph and every task live in your browser');
      say('  npm run taskwire -- sandbox      the four fakes, running, with a ready config to point taskwire at');
      say('  config/taskwire.example.yaml     every setting, for your own GitHub, Jira, Slack and Notion');
    }
    return { dir, htmlReport, exitCode: failures === 0 ? 0 : 1 };
  } finally {
    await sb.stop();
  }
}

// ------------------------------------------------------------------ watch: the daemon and the week

interface WatchDeps {
  readonly sb: Sandbox;
  readonly dir: string;
  readonly configFile: string;
  readonly env: Record<string, string | undefined>;
  readonly clock: DemoClock;
  readonly say: (t?: string) => void;
  readonly stepMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * `taskwire run` on the sandbox: the fakes send their signed webhooks to it as people act, and each
 * change is captured, evaluated and followed up on within seconds — no poll needed.
 */
async function watchWeek(d: WatchDeps): Promise<void> {
  const { sb, say } = d;
  const ctx = loadContext({ out: () => undefined, err: () => undefined, isTTY: false, env: d.env, cwd: d.dir }, d.configFile);
  const daemon = new Daemon({ config: ctx.config, log: ctx.log, cwd: d.dir, now: d.clock.now, port: 0, dispatchEveryMs: 1000 });
  await daemon.start();
  sb.sendWebhooksTo(daemon.url);
  heading(say, `8. The daemon (taskwire run) on ${daemon.url} — the week plays out through signed webhooks`);
  say(`The board:  ${daemon.url}/   (sign in with the API token ${SANDBOX_ENV.TASKWIRE_API_TOKEN})`);
  say(`The graph:  ${daemon.url}/graph   — cards and nodes change as the week plays out, without a reload.`);
  say();
  say('Each step below is a person acting in their tool; the fake sends the webhook the real tool would, and');
  say('taskwire captures it, re-evaluates what it touched and follows up — before any poll. Ctrl-C stops.');
  say();
  const store = await openStore(ctx.config, d.dir, d.clock.now);
  const snap = await snapshot(d.dir, d.configFile, d.env, d.clock.now());
  let seen = Math.max(0, ...(await store.outbox.list({})).map((r) => r.id));
  const report = async () => {
    const rows = (await store.outbox.list({ status: ['sent'] })).filter((r) => r.id > seen);
    for (const r of rows) {
      seen = Math.max(seen, r.id);
      const what = r.kind === 'status_comment' ? `status comment edited on ${snap.label(r.taskId ?? '')}` : r.kind === 'status_push' ? `${snap.label(r.taskId ?? '')} moved to ${r.action.type === 'status_push' ? r.action.status : '?'} in ${toolOf(r.connector)}` : r.kind === 'triage' ? `triage post in #${channelName(r.recipient)}` : r.kind === 'requester_reply' ? `email to ${r.recipient ?? '?'}` : `Slack DM to ${snap.nameOf(r.recipient ?? '')}`;
      say(`         ↳ taskwire: ${what} — ${r.reason ?? ''}`);
    }
  };
  try {
    for (const step of WEEK) {
      if (d.signal?.aborted) break;
      d.clock.set(d.clock.now() + HOUR); // an hour of the team's day per step
      say(`${DateTime.fromMillis(d.clock.now(), { zone: TEAM_TZ }).toFormat('ccc HH:mm')}  ${step.what}`);
      await step.run(sb);
      await pause(d.stepMs, d.signal);
      await report();
    }
    if (!d.signal?.aborted) {
      say();
      say('That was the week. The daemon keeps running (webhooks, polls, the 09:00 report) until Ctrl-C.');
      while (!d.signal?.aborted) {
        await pause(2000, d.signal);
        await report();
      }
    }
  } finally {
    await store.close();
    await daemon.stop('demo finished');
    say('stopped.');
  }
}

// ------------------------------------------------------------------ what the screens read

interface Snapshot {
  readonly tasks: readonly Task[];
  readonly flags: readonly Flag[];
  readonly label: (id: string) => string;
  readonly nameOf: (id: string) => string;
}

async function snapshot(dir: string, configFile: string, env: Record<string, string | undefined>, now: number): Promise<Snapshot> {
  const ctx = loadContext({ out: () => undefined, err: () => undefined, isTTY: false, env, cwd: dir }, configFile);
  return withLiveEvaluation(ctx, now, async ({ store, engine, evaluation }) => ({ tasks: await store.listTasks(), flags: evaluation.flags, label: engine.label, nameOf: engine.nameOf }));
}

async function sentRows(dir: string, configFile: string, env: Record<string, string | undefined>): Promise<OutboxRow[]> {
  const ctx = loadContext({ out: () => undefined, err: () => undefined, isTTY: false, env, cwd: dir }, configFile);
  const store = await openStore(ctx.config, dir);
  try {
    return await store.outbox.list({ status: ['sent'] });
  } finally {
    await store.close();
  }
}

function perTool(tasks: readonly Task[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.connector, (counts.get(t.connector) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b))
    .map(([c, n]) => `${n} from ${toolOf(c)}`)
    .join(', ');
}

function printFlags(say: (t?: string) => void, s: Snapshot): void {
  const byTask = new Map<string, Flag[]>();
  for (const f of s.flags) byTask.set(f.taskId, [...(byTask.get(f.taskId) ?? []), f]);
  const rank = (fs: readonly Flag[]) => Math.min(...fs.map((f) => SEVERITY_ORDER[f.severity]));
  const tasks = [...byTask.keys()].map((id) => s.tasks.find((t) => t.id === id)).filter((t): t is Task => t !== undefined);
  tasks.sort((a, b) => rank(byTask.get(a.id)!) - rank(byTask.get(b.id)!) || ORDER.indexOf(a.connector) - ORDER.indexOf(b.connector) || a.key.localeCompare(b.key, undefined, { numeric: true }));
  for (const t of tasks) {
    const owner = t.owner ? s.nameOf(t.owner) : t.assignees.length ? t.assignees.map((a) => a.name ?? a.id).join(' + ') : 'nobody';
    say(taskHeadline(t));
    say(`  owner ${owner} · due ${t.due ?? '—'} · ${t.status}`);
    for (const f of byTask.get(t.id)!.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])) say(`  ${f.severity.padEnd(8)} ${f.code.padEnd(18)} ${f.reason}`);
    say();
  }
  say(`${s.flags.length} flags on ${tasks.length} of ${s.tasks.filter((t) => !isClosed(t.status) || t.status === 'done').length} open or unverified tasks. \`taskwire explain <task>\` shows the reasoning behind any of them.`);
  say();
}

function printWrites(say: (t?: string) => void, rows: readonly OutboxRow[], s: Snapshot, o: { fullComments: readonly string[]; showMessages?: boolean }): void {
  const comments = rows.filter((r) => r.kind === 'status_comment');
  const pushes = rows.filter((r) => r.kind === 'status_push');
  const messages = rows.filter((r) => r.kind === 'direct_message' || r.kind === 'triage' || r.kind === 'escalation');
  const width = Math.min(52, Math.max(0, ...rows.filter((r) => r.taskId !== null).map((r) => s.label(r.taskId!).length)));
  if (comments.length) {
    say(`Status comments (${comments.length}):`);
    for (const r of comments) {
      const tool = toolOf(r.connector);
      say(`  ${tool.padEnd(7)} ${s.label(r.taskId ?? '').padEnd(width)}  ${r.reason ?? ''}`);
      if (r.action.type === 'status_comment' && o.fullComments.includes(r.taskId ?? '')) {
        say();
        say(indentText(`${r.action.body.split('\n').slice(1).join('\n').trim()}\n`, '      │ ').trimEnd());
        say();
      }
    }
    say();
  }
  if (pushes.length) {
    say(`Status changes (${pushes.length}):`);
    for (const r of pushes) say(`  ${toolOf(r.connector).padEnd(7)} ${s.label(r.taskId ?? '').padEnd(width)}  → ${r.action.type === 'status_push' ? r.action.status : '?'}: ${r.reason ?? ''}`);
    say();
  }
  const replies = rows.filter((r) => r.kind === 'requester_reply');
  for (const r of replies) {
    say(`→ Email to ${r.recipient ?? '?'} — ${r.reason ?? ''}`);
    say(indentText(`${r.action.type === 'requester_reply' ? r.action.body.trim() : ''}\n`, '    │ ').trimEnd());
    say();
  }
  if (o.showMessages) {
    if (messages.length === 0) say('No messages: nothing new needed anyone today.');
    for (const r of messages) {
      const to = r.kind === 'triage' ? `Slack post in #${channelName(r.recipient)}` : `Slack DM to ${s.nameOf(r.recipient ?? '')}${r.kind === 'escalation' ? ' (escalation)' : ''}`;
      say(`→ ${to} — ${r.reason ?? ''}`);
      const text = r.action.type === 'direct_message' || r.action.type === 'channel_post' ? r.action.text : '';
      say(indentText(`${text.trim()}\n`, '    │ ').trimEnd());
      say();
    }
  }
}

/** The tools' own view: how many taskwire comments each ticket holds (edited in place: one each). */
function printCommentLedger(say: (t?: string) => void, sb: Sandbox, s: Snapshot): void {
  let tickets = 0;
  let most = 0;
  for (const t of s.tasks) {
    const n = ourCommentsOn(sb, t);
    if (n > 0) tickets++;
    most = Math.max(most, n);
  }
  say(`In the tools now: taskwire's status comments sit on ${tickets} tickets, at most ${most} per ticket — edited in place,`);
  say('never a second copy.');
  say();
}

function ourCommentsOn(sb: Sandbox, t: Task): number {
  if (t.connector === 'github-acme') {
    const m = /^(.+)#(\d+)$/.exec(t.key);
    return m ? sb.github.comments(m[1]!, Number(m[2])).filter((c) => c.user === 'taskwire-bot').length : 0;
  }
  if (t.connector === 'jira-acme') return sb.jira.comments(t.key).filter((c) => c.author === 'acc-taskwire').length;
  if (t.connector === 'notion-acme') return sb.notion.commentsOn(t.key).filter((c) => !PEOPLE.some((p) => p.notion === c.by)).length;
  if (t.connector === 'slack-acme') {
    const [channel, ts] = t.key.split('/');
    return sb.slack.thread(channel!, ts!).filter((m) => m.ts !== ts && !PEOPLE.some((p) => p.slack === m.user)).length;
  }
  return 0;
}

// ------------------------------------------------------------------ helpers

function channelName(id: string | null): string {
  return id === SLACK_PLATFORM ? 'platform-team' : id === SLACK_OPS ? 'ops' : (id ?? '?');
}

/** The sandbox's connectors are named <kind>-acme. */
function toolOf(connector: string): string {
  return TOOL_NAME[connector.replace(/-acme$/, '') as keyof typeof TOOL_NAME] ?? connector;
}

function heading(say: (t?: string) => void, text: string): void {
  say(`━━ ${text} ${'━'.repeat(Math.max(3, 96 - text.length))}`);
  say();
}

function indentText(text: string, indent: string): string {
  return text.replace(/^(?=.)/gm, indent).replace(/^$/gm, indent.trimEnd() === indent ? '' : indent.trimEnd());
}

function person(id: string) {
  const p = PEOPLE.find((x) => x.id === id);
  if (!p) throw new Error(`no sandbox person ${id}`);
  return p;
}

/** 09:00 on the next weekday after `ms`, in the team's time zone (the sandbox team works Monday–Friday). */
function nextWorkingMorning(ms: number): number {
  let d = DateTime.fromMillis(ms, { zone: TEAM_TZ }).plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  while (d.weekday > 5) d = d.plus({ days: 1 });
  return d.toMillis();
}
