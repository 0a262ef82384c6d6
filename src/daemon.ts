/**
 * `taskwire run`: the long-running process. Config → store (migrated) → connectors → HTTP server →
 * scheduler, until SIGTERM/SIGINT.
 *
 * The scheduler polls each connector on its own interval with jitter, never overlapping itself, at most
 * a few at a time; a failing connector backs off (and shows as failing in /readyz) while the others
 * carry on. Webhooks and polls both always run: a webhook is stored in the inbox before it is
 * acknowledged and processed from there (on start too: what a crash left is processed then). The
 * engine stays loaded: a change re-evaluates what it touches and plans follow-ups in the same
 * transaction; a full evaluation runs every 15 minutes (flags that depend on the clock, such as
 * overdue). In send mode one dispatch pass at a time drains the outbox every few seconds. The daily
 * report runs on its cron schedule in the team's time zone.
 *
 * Several replicas on one PostgreSQL database share the work without a coordinator of their own: every
 * replica takes webhooks and sends follow-ups (rows are claimed, fenced); each connector is polled by
 * the replica holding its poll lease, and evaluations run on the one holding the evaluator lease (the
 * others tell it what they ingested); the daily report runs once per cluster. A replica that dies
 * loses its leases when they run out, and another takes over. With SQLite the one process holds them.
 *
 * Shutdown, bounded (10 s by default) whatever the tools are doing: stop accepting, abort every call
 * to a tool and every wait (a page in flight is applied or not at all — its transaction is atomic),
 * let go of inbox and outbox claims so a restart takes them up at once, close the store. A second
 * signal exits at once.
 */
import type { AddressInfo } from 'node:net';
import { setMaxListeners } from 'node:events';
import { Cron } from 'croner';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Connector } from '../connectors/port.js';
import type { Config } from './config/schema.js';
import type { Engine } from './core/engine.js';
import type { Identity } from './core/identity.js';
import { connectorAvailable, connectorState, createConnector, engineFromConfig, loadIdentity, openStore } from './main.js';
import { markCaptured } from './pipeline/cycle.js';
import { dispatchDue } from './pipeline/dispatch.js';
import { InboxWorker } from './pipeline/inbox-worker.js';
import { HeldLease } from './pipeline/held-lease.js';
import { SingleFlight } from './pipeline/lease.js';
import { evaluateAndPlan } from './pipeline/followups.js';
import { reconcileOwners } from './pipeline/ingest.js';
import { pollConnector } from './pipeline/poll.js';
import { reconcileDeletions } from './pipeline/reconcile.js';
import { deliverReport, renderReport } from './pipeline/report-delivery.js';
import { reportFromStore } from './pipeline/report.js';
import { receiveInbound } from './pipeline/webhook-intake.js';
import { buildServer } from './server/app.js';
import { Metrics } from './server/metrics.js';
import { addRoutes, type ConnectorState } from './server/routes.js';
import { UiAuth } from './server/ui/auth.js';
import { addUiRoutes } from './server/ui/routes.js';
import { taskNotes } from './pipeline/notes.js';
import { UiSource } from './server/ui/source.js';
import { loadAndEvaluate } from './pipeline/evaluate.js';
import { backtestFromStore } from './pipeline/backtest.js';
import { renderBacktestHtml } from './core/report/render-backtest.js';
import { resolve } from 'node:path';
import { HOLDER } from './store/claims.js';
import { LostLeaseError } from './store/leases.js';
import type { ApplyResult, StoreChannel, TaskStore } from './store/store.js';
import type { FastifyInstance } from 'fastify';
import { ConnectorError } from './errors.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly cwd: string;
  readonly now?: () => number;
  /** Overrides config.server.port (tests use 0). */
  readonly port?: number;
  readonly fullEvaluationEveryMs?: number;
  readonly dispatchEveryMs?: number;
  readonly inboxEveryMs?: number;
  readonly shutdownTimeoutMs?: number;
  /** How long a poll or evaluator lease lasts unrenewed (renewed at half), and how often a free one is tried. */
  readonly leaseTtlMs?: number;
  readonly leaseRetryMs?: number;
}

const POLL_CONCURRENCY = 4;

export class Daemon {
  private store!: TaskStore;
  private identity!: Identity;
  private engine!: Engine;
  private server!: FastifyInstance;
  private inbox!: InboxWorker;
  private readonly dispatching = new SingleFlight();
  private readonly pollLeases = new Map<string, HeldLease>();
  /** Per connector, ends the wait before its next poll (news from a watch connection: IMAP IDLE). */
  private readonly wakeups = new Map<string, AbortController>();
  private evaluator!: HeldLease;
  private listener: { close(): Promise<void> } | null = null;
  private metrics!: Metrics;
  private connectors = new Map<string, Connector>();
  private readonly states = new Map<string, { lastSuccessAt: string | null; lastError: string | null; failingSince: string | null; failures: number; retryAfterMs: number | null }>();
  private readonly evaluations = new PQueue({ concurrency: 1 });
  private readonly polls = new PQueue({ concurrency: POLL_CONCURRENCY });
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private cron: Cron | null = null;
  /** The web UI's snapshot (when server.ui is on). */
  private ui: UiSource | null = null;
  private backtestPage: { html: Promise<string>; at: number } | null = null;
  private touchTimer: NodeJS.Timeout | null = null;
  private ready = false;
  private stopping: Promise<void> | null = null;
  private readonly loops: Promise<void>[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: DaemonOptions) {
    this.now = opts.now ?? Date.now;
    // Every call to a tool listens to this signal while it runs: many at once is normal.
    setMaxListeners(0, this.abort.signal);
  }

  get url(): string {
    const a = this.server.server.address() as AddressInfo;
    return `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async start(): Promise<void> {
    const { config, log } = this.opts;
    this.store = await openStore(config, this.opts.cwd, this.now); // opens and migrates; fails loudly on a newer schema
    this.identity = await loadIdentity(config, this.store);
    this.engine = engineFromConfig(config, this.identity);
    for (const c of config.connectors.filter((x) => x.enabled)) {
      if (!connectorAvailable(c)) {
        log.warn({ connector: c.name }, `the ${c.type} connector is not available in this build; skipped`);
        continue;
      }
      this.connectors.set(c.name, await createConnector(c, { log, timezone: config.timezone, state: connectorState(this.store, c.name), signal: this.abort.signal }));
      this.states.set(c.name, { lastSuccessAt: null, lastError: null, failingSince: null, failures: 0, retryAfterMs: null });
    }
    this.metrics = new Metrics({
      store: this.store,
      connectors: this.connectors,
      openFlags: () => this.engine.currentFlags(),
      lastSync: () => new Map([...this.states].map(([n, s]) => [n, s.lastSuccessAt ? Date.parse(s.lastSuccessAt) : null])),
      now: this.now,
    });
    this.inbox = new InboxWorker(
      {
        store: this.store,
        connectors: this.connectors,
        identity: () => this.identity,
        log,
        signal: this.abort.signal,
        onApplied: (c, applied) => this.afterIngest(c.name, applied),
        onOutcome: (c, outcome) => this.metrics.deliveries.inc({ connector: c, result: outcome }),
      },
      { maxAttempts: config.server.inbox.maxAttempts },
    );
    this.server = buildServer({
      store: this.store,
      connectors: this.connectors,
      log,
      bodyLimit: config.server.bodyLimit,
      onStored: () => void this.inbox.wake(),
      stats: { count: (c, r) => this.metrics.deliveries.inc({ connector: c, result: r }), ackSeconds: (s) => this.metrics.ack.observe(s) },
    });
    addRoutes(this.server, {
      store: this.store,
      metrics: this.metrics,
      apiToken: config.server.apiToken,
      ready: () => this.ready && this.stopping === null,
      connectorStates: () => this.connectorStates(),
      report: async (format) => {
        const report = await reportFromStore({ store: this.store, config, engine: engineFromConfig(config, this.identity), identity: this.identity, now: this.now() });
        return { report, text: await renderReport(report, format, config.report.htmlUrl ?? null) };
      },
    });
    this.mountUi();
    await this.server.listen({ host: config.server.host, port: this.opts.port ?? config.server.port });
    log.info({ url: this.url, connectors: [...this.connectors.keys()], mode: config.followups.mode, ui: config.server.ui.enabled ? `${this.url}/` : 'off' }, 'taskwire is running');

    // The evaluator evaluates the world when it takes the lease; from then on, changes re-evaluate
    // what they touch. (One replica evaluates; the others tell it what changed.)
    this.evaluator = this.lease('evaluator', { onAcquired: () => void this.evaluations.add(() => this.evaluate()) });
    await this.evaluator.start();
    await this.evaluations.onIdle();
    this.ready = true;
    // What was received and not processed before (a crash, a restart) is processed now.
    void this.inbox.wake();
    this.listener = (await this.store.listen?.((channel, payload) => this.onSignal(channel, payload))) ?? null;

    for (const c of this.connectors.values()) {
      this.pollLeases.set(c.name, this.lease(`poll:${c.name}`));
      this.loops.push(this.pollLoop(c));
      if (c.inbound) await c.inbound.start((d) => receiveInbound({ store: this.store, log, onStored: () => void this.inbox.wake() }, c, d));
      if (c.watch) await c.watch.start(() => this.wakeups.get(c.name)?.abort());
    }
    this.every(this.opts.fullEvaluationEveryMs ?? 15 * 60_000, () => void (this.evaluator.current && this.evaluations.add(() => this.evaluate())));
    // Deliveries waiting to be retried, and the retention of processed ones.
    this.every(this.opts.inboxEveryMs ?? 5_000, () => void this.inbox.wake());
    this.every(3600_000, () => void this.prune());
    void this.prune();
    if (config.followups.mode === 'send') this.every(this.opts.dispatchEveryMs ?? config.followups.dispatchEvery, () => void this.dispatch());
    this.cron = new Cron(config.report.schedule, { timezone: config.timezone, protect: true }, (cron: Cron) => void this.report(cron.currentRun() ?? new Date(this.now())));
  }

  /** Stops within `shutdownTimeoutMs`; safe to call twice. */
  stop(reason = 'stop'): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<void> {
    const { log } = this.opts;
    log.info({ reason }, 'taskwire is stopping');
    this.ready = false;
    this.cron?.stop();
    this.ui?.close();
    if (this.touchTimer !== null) clearTimeout(this.touchTimer);
    for (const t of this.timers) clearInterval(t);
    // Every call to a tool and every wait ends now: nothing below waits on a tool.
    this.abort.abort(new Error('shutting down'));
    const bounded = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<void>((r) => setTimeout(r, ms).unref())]);
    const budget = this.opts.shutdownTimeoutMs ?? 10_000;
    await bounded(this.server.close(), budget / 4);
    for (const c of this.connectors.values()) await bounded(c.inbound?.stop().catch(() => undefined) ?? Promise.resolve(), budget / 10);
    for (const c of this.connectors.values()) await bounded(c.watch?.stop().catch(() => undefined) ?? Promise.resolve(), budget / 10);
    await bounded(Promise.allSettled([...this.loops, this.inbox.idle(), this.dispatching.idle(), this.evaluations.onIdle()]), budget / 2);
    // Leases let go (another replica takes over at once), and what was in flight is left in the inbox
    // and the outbox, its claims let go: a restart, or another replica, takes it up at once.
    await bounded(Promise.allSettled([this.evaluator?.stop(), ...[...this.pollLeases.values()].map((l) => l.stop()), this.listener?.close()]), budget / 10);
    await this.store.inbox.release(HOLDER).catch(() => 0);
    await this.store.outbox.release(HOLDER).catch(() => 0);
    for (const c of this.connectors.values()) await bounded(c.close?.().catch(() => undefined) ?? Promise.resolve(), budget / 10);
    await this.store.close();
    log.info('taskwire stopped');
  }

  private async pollLoop(c: Connector): Promise<void> {
    const config = this.opts.config.connectors.find((x) => x.name === c.name)!;
    const signal = this.abort.signal;
    const lease = this.pollLeases.get(c.name)!;
    await lease.start();
    while (!signal.aborted) {
      // Another replica polls this connector while it holds the lease; this one waits to take over.
      if (!lease.current) {
        await sleep(this.opts.leaseRetryMs ?? 1_000, signal);
        continue;
      }
      // News from a watch connection (IMAP IDLE) during this poll or the wait after it polls again at once.
      const wake = new AbortController();
      this.wakeups.set(c.name, wake);
      await this.polls.add(() => this.pollOnce(c, lease));
      const s = this.states.get(c.name)!;
      // On failure: back off exponentially (from 30 s, at most an hour), or until a rate limit resets
      // (news does not shorten a backoff); else the interval ± 10 %.
      const wait = s.failures > 0 ? Math.max(s.retryAfterMs ?? 0, Math.min(3600_000, 30_000 * 2 ** (s.failures - 1))) : config.pollInterval * (0.9 + Math.random() * 0.2);
      await sleep(wait, s.failures > 0 ? signal : AbortSignal.any([signal, wake.signal]));
      this.wakeups.delete(c.name);
    }
  }

  private async pollOnce(c: Connector, lease: HeldLease): Promise<void> {
    const fence = lease.current;
    if (this.abort.signal.aborted || fence === null) return;
    const s = this.states.get(c.name)!;
    // A lost lease stops the poll; a page written after the loss is refused by its fence anyway.
    const signal = AbortSignal.any([this.abort.signal, lease.signal]);
    try {
      const summary = await pollConnector(this.store, c, this.identity, signal, undefined, fence);
      await reconcileDeletions(this.store, c, this.now(), { signal: this.abort.signal });
      this.metrics.polls.inc({ connector: c.name, result: 'ok' });
      this.metrics.items.inc({ connector: c.name }, summary.items);
      Object.assign(s, { lastSuccessAt: new Date(this.now()).toISOString(), lastError: null, failingSince: null, failures: 0, retryAfterMs: null });
      await markCaptured(this.store, [{ connector: c.name, ok: true, ms: 0 }], new Date(this.now()).toISOString());
      // A backfill (a first sync, or more than is worth listing) brings history and finished work the
      // forecasts learn from: the whole world is evaluated again.
      if (summary.changedMany || summary.firstSync) await this.changed('*');
      else if (summary.changed.length > 0) await this.changed(summary.changed);
    } catch (err) {
      if (signal.aborted || err instanceof LostLeaseError) return; // stopping, or another replica polls now
      this.metrics.polls.inc({ connector: c.name, result: 'error' });
      const retryAfterMs = err instanceof ConnectorError ? (err.retryAfterMs ?? null) : null;
      Object.assign(s, { lastError: (err as Error).message, failingSince: s.failingSince ?? new Date(this.now()).toISOString(), failures: s.failures + 1, retryAfterMs });
      this.opts.log.warn({ connector: c.name, err, failures: s.failures }, 'poll failed; backing off (the other connectors carry on)');
    }
  }

  private async afterIngest(_connector: string, applied: ApplyResult): Promise<void> {
    this.metrics.items.inc({ connector: _connector }, applied.inserted + applied.updated + applied.deleted);
    if (applied.changed.length > 0 || applied.evidence > 0) await this.changed(applied.evidence > 0 ? '*' : applied.changed);
  }

  /**
   * Tasks changed (`*`: too many to list, or evidence that may touch any): the evaluator looks at them —
   * this process when it holds the lease, else the replica that does, told through the store.
   */
  private async changed(ids: readonly string[] | '*'): Promise<void> {
    this.ui?.changed();
    this.touched();
    if (this.evaluator.current) {
      await this.evaluations.add(() => this.evaluate(ids === '*' ? undefined : ids));
      return;
    }
    const payload = ids === '*' ? '*' : JSON.stringify(ids);
    await this.store.notify?.('changed', payload.length < 7000 ? payload : '*').catch((err: unknown) => this.opts.log.warn({ err }, 'could not tell the evaluator what changed; its next full evaluation will see it'));
  }

  /** What another replica said (PostgreSQL NOTIFY), or that the listening connection was (re)made. */
  private onSignal(channel: StoreChannel, payload: string): void {
    if (this.stopping !== null) return;
    if (channel === 'inbox' || channel === 'reconnected') void this.inbox.wake();
    if ((channel === 'outbox' || channel === 'reconnected') && this.opts.config.followups.mode === 'send') void this.dispatch();
    if (channel === 'changed' || channel === 'touched') this.ui?.changed();
    if (channel === 'changed' && this.evaluator.current) {
      const ids = payload === '*' ? undefined : (JSON.parse(payload) as string[]);
      void this.evaluations.add(() => this.evaluate(ids));
    }
  }

  private lease(name: string, opts: { onAcquired?: () => void } = {}): HeldLease {
    const ttlMs = this.opts.leaseTtlMs ?? (this.opts.config.store.driver === 'postgres' ? this.opts.config.store.leaseTtl : 20_000);
    return new HeldLease(this.store, name, HOLDER, this.opts.log, { ttlMs, retryMs: this.opts.leaseRetryMs ?? Math.min(5_000, ttlMs / 4), ...opts });
  }

  /** Full (no argument) or incremental evaluation, and the follow-ups it plans. Serialized. */
  private async evaluate(changed?: readonly string[]): Promise<void> {
    // Queued while this replica held the evaluator lease; it may have passed to another since.
    const lease = this.evaluator.current;
    if (this.stopping !== null || lease === null) return;
    try {
      if (changed === undefined) await reconcileOwners(this.store, this.identity);
      const r = await evaluateAndPlan({ store: this.store, engine: this.engine, config: this.opts.config, identity: this.identity, lease }, this.now(), changed);
      // Pages served from this engine show what the evaluation found (clock-driven flags too).
      this.ui?.changed();
      if (r.diff.opened.length + r.diff.resolved.length + r.planned > 0) this.opts.log.info({ opened: r.diff.opened.length, resolved: r.diff.resolved.length, planned: r.planned }, 'evaluated');
    } catch (err) {
      if (err instanceof LostLeaseError) this.opts.log.info('evaluator lease lost mid-evaluation; nothing written, the new holder evaluates');
      else this.opts.log.error({ err }, 'evaluation failed; the next one will try again');
    }
  }

  /** One dispatch pass at a time: a call during a pass asks for one more after it. */
  private dispatch(): Promise<void> {
    return this.dispatching.run(async () => {
      if (this.stopping !== null) return;
      try {
        const r = await dispatchDue({ store: this.store, connectors: this.connectors, log: this.opts.log }, { signal: this.abort.signal });
        if (r.sent) this.metrics.followups.inc({ connector: 'all', result: 'sent' }, r.sent);
        if (r.dead) this.metrics.followups.inc({ connector: 'all', result: 'dead' }, r.dead);
        if (r.leftAlone) this.metrics.followups.inc({ connector: 'all', result: 'left_alone' }, r.leftAlone);
      } catch (err) {
        this.opts.log.error({ err }, 'dispatch failed');
      }
    });
  }

  private async prune(): Promise<void> {
    const { retention, deadRetention } = this.opts.config.server.inbox;
    try {
      const n = await this.store.inbox.prune(retention, deadRetention);
      if (n > 0) this.opts.log.info({ pruned: n }, 'inbox: finished deliveries past their retention pruned');
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'inbox prune failed; tried again within the hour');
    }
  }

  /** The daily report, once per cluster: every replica's schedule fires; the one that claims the slot delivers it. */
  private async report(slot: Date): Promise<void> {
    try {
      const key = slot.toISOString().slice(0, 19);
      if (!(await this.store.claimRun('report', key, HOLDER))) {
        this.opts.log.info({ slot: key }, 'daily report: another replica delivers it');
        return;
      }
      const r = await deliverReport({ store: this.store, config: this.opts.config, identity: this.identity, cwd: this.opts.cwd, now: this.now() });
      this.opts.log.info({ files: r.files, posts: r.posts }, 'daily report delivered');
      if (this.opts.config.followups.mode === 'send') await this.dispatch();
    } catch (err) {
      this.opts.log.error({ err }, 'daily report failed');
    }
  }

  /**
   * Tasks changed here: the other replicas' web UIs are told (PostgreSQL NOTIFY, at most one every
   * 250 ms), so a page open on any replica updates, whichever replica took the change.
   */
  private touched(): void {
    if (this.ui === null || this.store.notify === undefined || this.touchTimer !== null) return;
    this.touchTimer = setTimeout(() => {
      this.touchTimer = null;
      void this.store.notify?.('touched', '').catch(() => undefined);
    }, 250);
    this.touchTimer.unref();
  }

  /** The web UI at / (server.ui.enabled): board, graph, task detail, people, reports, live. */
  private mountUi(): void {
    const { config } = this.opts;
    const ui = config.server.ui;
    if (!ui.enabled) {
      this.server.get('/', async (_req, reply) => reply.code(404).send({ error: 'the web UI is off: set server.ui.enabled (and server.apiToken or server.ui.basicAuth)' }));
      return;
    }
    const source = new UiSource({
      load: async () => {
        // The evaluator's own engine is the world as evaluated, kept current change by change: once
        // the evaluations queued before this page are done (a busy queue is waited for 2 s at most),
        // it serves the page. Other replicas evaluate a fresh engine from the store.
        if (this.evaluator.current !== null) {
          await Promise.race([this.evaluations.onIdle(), new Promise((r) => setTimeout(r, 2_000).unref())]);
          if (this.evaluator.current !== null) return { engine: this.engine, identity: this.identity, now: this.now() };
        }
        const identity = await loadIdentity(config, this.store);
        const engine = engineFromConfig(config, identity);
        const now = this.now();
        await loadAndEvaluate(this.store, engine, now);
        return { engine, identity, now };
      },
      teams: config.teams,
      timezone: config.timezone,
    });
    this.ui = source;
    addUiRoutes(this.server, {
      source,
      auth: new UiAuth({ apiToken: config.server.apiToken, basicAuth: ui.basicAuth, sessionTtlMs: ui.sessionTtl }),
      store: this.store,
      log: this.opts.log,
      registry: config.people.map((p) => p.id),
      reportsDir: resolve(this.opts.cwd, config.report.outputDir),
      report: async () => renderReport(await reportFromStore({ store: this.store, config, engine: engineFromConfig(config, this.identity), identity: this.identity, now: this.now() }), 'html', config.report.htmlUrl ?? null),
      backtest: () => this.backtestHtml(),
      verify: async (taskId, who) => {
        const by = config.people.some((p) => p.id === who) ? who : null;
        const ok = await this.store.verifyTask(taskId, new Date(this.now()).toISOString(), by, `verified in the web UI by ${who}`);
        await this.changed([taskId]);
        return ok;
      },
      signInWith: { token: config.server.apiToken !== undefined, basic: ui.basicAuth !== undefined },
      notes: (task) => taskNotes(this.store, config, task),
    });
  }

  /** The backtest page, computed at most every ten minutes (it replays the quarter). */
  private backtestHtml(): Promise<string> {
    const at = this.now();
    if (this.backtestPage === null || at - this.backtestPage.at > 600_000) {
      const html = backtestFromStore(this.store, { config: this.opts.config, identity: this.identity, everyDays: 1, now: at }).then((r) => renderBacktestHtml(r));
      this.backtestPage = { html, at };
      html.catch(() => (this.backtestPage = null));
    }
    return this.backtestPage.html;
  }

  private connectorStates(): ConnectorState[] {
    return [...this.states].map(([name, s]) => ({ name, lastSuccessAt: s.lastSuccessAt, lastError: s.lastError, failingSince: s.failingSince }));
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
