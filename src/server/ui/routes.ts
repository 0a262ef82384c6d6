/**
 * The web UI's routes. Off unless `server.ui.enabled`. Signed out, every page and UI call answers 401
 * with the sign-in form (pages) or a one-line error (everything else) and no task data. Read-only but
 * for `verify`, which takes a POST from the same origin (the session cookie is SameSite=Strict, and a
 * cross-origin Origin header is refused).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { addDays } from '../../core/calendar.js';
import { riskLead } from '../../core/explain-text.js';
import type { TaskNotes } from '../../../connectors/port.js';
import { peopleYaml } from '../../core/people-yaml.js';
import type { AccountRecord, TaskStore } from '../../store/store.js';
import { assets } from './assets.js';
import { SESSION_COOKIE, type UiAuth } from './auth.js';
import { boardOptions, buildBoard, parseFilters } from './board.js';
import { layoutGraph, renderGraphSvg, selectGraph, type GraphScope } from './graph.js';
import { boardPage } from './pages-board.js';
import { graphPage, notFoundPage, peoplePage, reportsPage, signInPage, taskPage, type PersonRow } from './pages.js';
import type { UiSnapshot } from './snapshot.js';
import type { UiSource } from './source.js';

export interface UiDeps {
  readonly source: UiSource;
  readonly auth: UiAuth;
  readonly store: TaskStore;
  readonly log: Logger;
  /** The people in the registry (their ids), to tell them from accounts. */
  readonly registry: readonly string[];
  readonly reportsDir: string;
  /** Today's report as HTML, built now. */
  readonly report: () => Promise<string>;
  /** The backtest page (HTML). */
  readonly backtest: () => Promise<string>;
  /** A task was verified here: record it as the CLI's `verify` does and re-evaluate. */
  readonly verify: (taskId: string, who: string) => Promise<boolean>;
  readonly signInWith: { readonly token: boolean; readonly basic: boolean };
  /** Where a task's fields came from beyond the task itself (a GitHub project), and conflicts. */
  readonly notes?: (task: { readonly connector: string; readonly key: string }) => Promise<TaskNotes | null>;
}

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};
const REPORT_HEADERS = { ...PAGE_HEADERS, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'" };
const OPEN_PATHS = new Set(['/signin']);
/** The assets are open to anyone (no task data): exactly one file name under /ui/assets/. */
const ASSET_PATH = /^\/ui\/assets\/[a-z0-9-]+\.[0-9a-f]{12}\.(js|css)$/;

declare module 'fastify' {
  interface FastifyRequest {
    uiUser?: string;
  }
}

export function addUiRoutes(app: FastifyInstance, deps: UiDeps): void {
  const streams = new Set<FastifyReply>();
  void app.register(async (ui) => {
    ui.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
    ui.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (OPEN_PATHS.has(path) || ASSET_PATH.test(path)) return;
      const who = deps.auth.identify(req.headers);
      if (who !== null) {
        req.uiUser = who;
        if (req.method === 'POST' && !sameOrigin(req)) return reply.code(403).send({ error: 'cross-origin request refused' });
        return;
      }
      if (req.method === 'GET' && wantsHtml(req) && path !== '/ui/events') return send(reply.code(401), signInPage({ next: req.url, ...deps.signInWith }).value);
      return reply.code(401).send({ error: 'sign in first: a session, or the API token as Authorization: Bearer' });
    });
    ui.addHook('preClose', async () => {
      for (const s of streams) s.raw.end();
      streams.clear();
    });

    ui.get('/ui/assets/:file', async (req, reply) => {
      const a = Object.values(assets()).find((x) => x.path === `/ui/assets/${(req.params as { file: string }).file}`);
      if (!a) return reply.code(404).send({ error: 'no such asset' });
      return reply.type(a.type).header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').send(a.body);
    });

    ui.get('/signin', async (req, reply) => send(reply, signInPage({ next: safeNext((req.query as { next?: string }).next), ...deps.signInWith }).value));
    ui.post('/signin', async (req, reply) => {
      const form = (req.body ?? {}) as Record<string, string>;
      const next = safeNext(form['next']);
      if (deps.auth.throttled(req.ip)) return send(reply.code(429), signInPage({ next, error: 'Too many failed attempts: wait ten minutes.', ...deps.signInWith }).value);
      const who = deps.auth.signIn({ token: form['token'] || undefined, username: form['username'] || undefined, password: form['password'] ?? undefined });
      if (who === null) {
        deps.auth.failed(req.ip);
        deps.log.warn({ ip: req.ip }, 'web UI: failed sign-in');
        return send(reply.code(401), signInPage({ next, error: 'That did not match: check the token, or the user name and password.', ...deps.signInWith }).value);
      }
      return reply.header('set-cookie', cookie(req, deps.auth.session(who), Math.floor(deps.auth.sessionTtlMs / 1000))).redirect(next, 303);
    });
    ui.post('/signout', async (req, reply) => reply.header('set-cookie', cookie(req, '', 0)).redirect('/signin', 303));

    ui.get('/', async (req, reply) => {
      const s = await deps.source.get();
      return send(reply, boardPage(buildBoard(s, parseFilters(req.query as Record<string, string>)), req.uiUser!, s.today).value);
    });

    ui.get('/graph', async (req, reply) => {
      const s = await deps.source.get();
      const q = req.query as { task?: string; milestone?: string };
      const task = q.task ? s.engine.resolve(q.task) : undefined;
      if (q.task && !task) return send(reply.code(404), notFoundPage(req.uiUser!, `No task "${q.task}".`).value);
      const scope: GraphScope = task ? { task } : q.milestone ? { milestone: q.milestone } : { atRisk: true };
      const title = task ? `Graph of ${s.engine.label(task)}` : q.milestone ? `Graph of milestone ${q.milestone}` : 'Everything at risk, and what it waits on';
      return send(reply, graphPage({ user: req.uiUser!, title, scope: { task, milestone: q.milestone }, milestones: boardOptions(s).milestones, ...drawGraph(s, scope) }).value);
    });

    ui.get('/tasks/*', async (req, reply) => {
      const s = await deps.source.get();
      const ref = decodeURIComponent((req.params as { '*': string })['*']);
      const id = s.engine.task(ref) ? ref : s.engine.resolve(ref);
      const ex = id ? s.engine.explain(id) : null;
      if (!ex) return send(reply.code(404), notFoundPage(req.uiUser!, `No task "${ref}".`).value);
      const [history, followups, comments, notes] = await Promise.all([deps.store.history(ex.task.id), deps.store.outbox.list({ taskId: ex.task.id, limit: 200 }), deps.store.outbox.statusComments(ex.task.id), deps.notes ? deps.notes(ex.task) : null]);
      const message = (req.query as { verified?: string }).verified !== undefined ? 'Verified: thank you.' : undefined;
      const resolved = (r: ReturnType<typeof s.identity.resolve>) =>
        r.kind === 'person' ? `${s.nameOf(r.personId)}, by ${r.via === 'email' ? 'email address' : 'the registry'}` : r.kind === 'team' ? `team ${s.nameOf(r.teamId)}, by ${r.via === 'alias' ? 'its alias' : 'the registry'}` : r.kind === 'bot' ? 'a bot (not an owner)' : 'nobody in the registry yet (owns it as itself)';
      const assignees = ex.task.assignees.map((a) => ({ account: `${a.kind}:${a.name ?? a.id}`, resolved: resolved(s.identity.resolve(a)) }));
      const actorName = (kind: string, id: string) => {
        const r = s.identity.resolve({ kind: kind as typeof ex.task.kind, id });
        return r.kind === 'person' ? s.nameOf(r.personId) : id;
      };
      const lead = ex.risk ? riskLead(ex.risk, ex.task.due ? s.engine.workdaysUntil(ex.task.due) : null) : '';
      return send(reply, taskPage({ user: req.uiUser!, ex, assignees, actorName, lead, card: s.byId.get(ex.task.id), label: s.engine.label, nameOf: s.nameOf, timezone: s.timezone, history, followups, notes, comment: comments[0] ?? null, verifier: s.byId.get(ex.task.id)?.verifier ?? null, message }).value);
    });

    ui.post('/tasks/*', async (req, reply) => {
      const rest = (req.params as { '*': string })['*'];
      if (!rest.endsWith('/verify')) return reply.code(404).send({ error: 'not found' });
      const ref = decodeURIComponent(rest.slice(0, -'/verify'.length));
      const s = await deps.source.get();
      const id = s.engine.task(ref) ? ref : s.engine.resolve(ref);
      const t = id ? s.engine.task(id) : undefined;
      if (!t) return reply.code(404).send({ error: `no task "${ref}"` });
      if (t.status !== 'done' && t.status !== 'verified') return reply.code(409).send({ error: `${t.id} is ${t.status}: only done work can be verified` });
      await deps.verify(t.id, req.uiUser!);
      deps.log.info({ task: t.id, by: req.uiUser }, 'web UI: task verified');
      return reply.redirect(`/tasks/${encodeURIComponent(t.id)}?verified`, 303);
    });

    ui.get('/people', async (req, reply) => {
      const s = await deps.source.get();
      const unmapped = (await deps.store.listAccounts()).filter((a) => !a.isBot && s.identity.resolve(a).kind === 'unmapped');
      return send(reply, peoplePage({ user: req.uiUser!, people: peopleRows(s, deps.registry), unmapped: unmapped.map(accountRow), yaml: peopleYaml(unmapped, new Set(deps.registry)) }).value);
    });

    ui.get('/reports', async (req, reply) => send(reply, reportsPage({ user: req.uiUser!, dates: archived(deps.reportsDir), dir: deps.reportsDir }).value));
    ui.get('/reports/:date', async (req, reply) => {
      const date = (req.params as { date: string }).date;
      if (date === 'today') return send(reply, await deps.report(), REPORT_HEADERS);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !archived(deps.reportsDir).includes(date)) return send(reply.code(404), notFoundPage(req.uiUser!, `No report of ${date} in the archive.`).value);
      return send(reply, readFileSync(join(deps.reportsDir, `taskwire-report-${date}.html`), 'utf8'), REPORT_HEADERS);
    });
    ui.get('/backtest', async (_req, reply) => send(reply, await deps.backtest(), REPORT_HEADERS));

    ui.get('/ui/events', (req, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      reply.raw.write('retry: 3000\n\n');
      const unsubscribe = deps.source.subscribe((v) => reply.raw.write(`event: changed\ndata: ${v}\n\n`));
      const beat = setInterval(() => reply.raw.write(': still here\n\n'), 25_000);
      beat.unref();
      streams.add(reply);
      req.raw.on('close', () => {
        clearInterval(beat);
        unsubscribe();
        streams.delete(reply);
      });
    });
  });
}

function send(reply: FastifyReply, body: string, headers: Record<string, string> = PAGE_HEADERS): FastifyReply {
  return reply.headers(headers).type('text/html; charset=utf-8').send(body);
}

const wantsHtml = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

/** A POST from a page of this server (a browser sends Origin on POST); scripts without Origin pass. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Only a path on this server (never `//evil.example`). */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) && next !== '/signin' ? next : '/';
}

function cookie(req: FastifyRequest, value: string, maxAge: number): string {
  const secure = req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

function drawGraph(s: UiSnapshot, scope: GraphScope) {
  const flagsOf = (id: string) => s.byId.get(id)?.flags ?? [];
  const model = selectGraph(s.engine, scope, flagsOf);
  const svg = renderGraphSvg(model, layoutGraph(model), s.engine, flagsOf, s.today);
  return { svg, counts: { nodes: model.nodes.length, edges: model.edges.length, omitted: model.omitted } };
}

const OPEN_COLUMNS = new Set(['todo', 'in_progress', 'in_review', 'blocked']);

/** Everyone in the registry, and every account owning open work, with their load. */
export function peopleRows(s: UiSnapshot, registry: readonly string[]): PersonRow[] {
  const rows = new Map<string, { open: number; overdue: number; atRisk: number; toVerify: UiSnapshot['cards'][number][]; week1: number; week2: number; hours: number; unestimated: number }>();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { open: 0, overdue: 0, atRisk: 0, toVerify: [], week1: 0, week2: 0, hours: 0, unestimated: 0 }));
    return r;
  };
  for (const id of registry) row(id);
  const week = addDays(s.today, 6);
  const fortnight = addDays(s.today, 13);
  for (const c of s.cards) {
    if (c.verifier !== null && c.status === 'done') row(c.verifier).toVerify.push(c);
    if (!OPEN_COLUMNS.has(c.status)) continue;
    for (const o of c.owners) {
      const r = row(o);
      r.open++;
      if (c.overdue) r.overdue++;
      if (c.flags.some((f) => f.code === 'deadline_at_risk' || f.code === 'dependency_at_risk')) r.atRisk++;
      if (c.due !== null && c.due <= fortnight) {
        if (c.due <= week) r.week1++;
        else r.week2++;
        if (c.remainingHours === null) r.unestimated++;
        else r.hours += c.remainingHours;
      }
    }
  }
  const inRegistry = new Set(registry);
  return [...rows]
    .map(([id, r]) => ({ id, name: s.nameOf(id), inRegistry: inRegistry.has(id), open: r.open, overdue: r.overdue, atRisk: r.atRisk, toVerify: r.toVerify, dueThisWeek: r.week1, dueNextWeek: r.week2, hoursNextTwoWeeks: r.hours, unestimated: r.unestimated }))
    .sort((a, b) => Number(b.inRegistry) - Number(a.inRegistry) || b.overdue - a.overdue || b.open - a.open || a.name.localeCompare(b.name));
}

const accountRow = (a: AccountRecord) => ({ kind: a.kind, id: a.id, name: a.name ?? null, connector: a.connector, lastSeenAt: a.lastSeenAt });

/** Dates of the daily reports in the archive (HTML ones), newest first. */
function archived(dir: string): string[] {
  try {
    return readdirSync(dir)
      .map((f) => /^taskwire-report-(\d{4}-\d{2}-\d{2})\.html$/.exec(f)?.[1])
      .filter((d): d is string => d !== undefined)
      .sort()
      .reverse();
  } catch {
    return [];
  }
}
