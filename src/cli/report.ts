/** `taskwire report`: the consolidated report as Markdown, HTML, Slack blocks or JSON, to stdout or a file; `--post` delivers it. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isTimeZone } from '../config/fields.js';
import { startOfDay } from '../core/calendar.js';
import type { Connector } from '../../connectors/port.js';
import { UsageError } from '../errors.js';
import { connectorAvailable, createConnector, engineFromConfig, loadIdentity, openStore } from '../main.js';
import { dispatchAll } from '../pipeline/dispatch.js';
import { deliverReport, renderReport, type ReportFormat } from '../pipeline/report-delivery.js';
import { reportFromStore } from '../pipeline/report.js';
import type { CommandContext } from './context.js';
import { asOfStore, parseAsOf } from './live.js';

export async function reportCommand(ctx: CommandContext, opts: { format?: string; out?: string; since?: string; post?: boolean; asOf?: string }, now: number): Promise<number> {
  const format = (opts.format ?? 'markdown') as ReportFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: "${opts.format}" is not one of ${FORMATS.join(', ')}`);
  const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.config.timezone);
  if (opts.post && opts.asOf !== undefined) throw new UsageError("--post delivers today's report; --as-of shows a past one (use one or the other)");
  const sqlite = await openStore(ctx.config, ctx.io.cwd, () => now);
  try {
    const identity = await loadIdentity(ctx.config, sqlite);
    // --as-of: the report as it would have been that morning, from the store rebuilt as it stood then.
    const at = opts.asOf === undefined ? now : parseAsOf(opts.asOf, ctx, now);
    const store = opts.asOf === undefined ? sqlite : await asOfStore(ctx, sqlite, identity, at);
    if (opts.post) {
      // Delivered as the daemon does it: files written, posts through the outbox, the window moved on.
      const r = await deliverReport({ store, config: ctx.config, identity, cwd: ctx.io.cwd, now });
      const sent = ctx.config.followups.mode === 'send' ? await dispatchAll({ store, connectors: await connectorsOf(ctx), log: ctx.log }) : null;
      ctx.io.out(`report written to ${r.files.filter((f) => !f.includes('latest.')).join(', ')}\n`);
      ctx.io.out(sent === null ? `${r.posts} post(s) planned (plan mode: nothing sent — see taskwire plan)\n` : `${r.posts} post(s) planned, ${sent.sent} sent${sent.dead ? `, ${sent.dead} failed (taskwire outbox --dead)` : ''}\n`);
      return sent !== null && sent.dead > 0 ? 1 : 0;
    }
    const report = await reportFromStore({ store, config: ctx.config, engine: engineFromConfig(ctx.config, identity), identity, now: at, since });
    const text = await renderReport(report, format, ctx.config.report.htmlUrl ?? null);
    if (opts.out) {
      const file = resolve(ctx.io.cwd, opts.out);
      writeFileSync(file, text);
      ctx.io.err(`report written to ${file}\n`);
    } else ctx.io.out(text);
    return 0;
  } finally {
    await sqlite.close();
  }
}

const FORMATS: readonly ReportFormat[] = ['markdown', 'html', 'slack', 'json'];

async function connectorsOf(ctx: CommandContext): Promise<Map<string, Connector>> {
  const out = new Map<string, Connector>();
  for (const c of ctx.config.connectors) if (c.enabled && connectorAvailable(c)) out.set(c.name, await createConnector(c, { log: ctx.log, timezone: ctx.config.timezone }));
  return out;
}

/** A date is the start of that day in the team timezone; a date-time is taken as written. */
function parseSince(s: string, tz: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(s) && isTimeZone(tz) ? startOfDay(s, tz) : Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--since: "${s}" is not a date (YYYY-MM-DD) or date-time`);
  return new Date(t).toISOString();
}
