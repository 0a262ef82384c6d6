/** `taskwire report`: the consolidated report as Markdown or JSON, to stdout or a file. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isTimeZone } from '../config/fields.js';
import { startOfDay } from '../core/calendar.js';
import { renderJson } from '../core/report/render-json.js';
import { renderMarkdown } from '../core/report/render-markdown.js';
import { UsageError } from '../errors.js';
import { engineFromConfig, loadIdentity, openStore } from '../main.js';
import { reportFromStore } from '../pipeline/report.js';
import type { CommandContext } from './context.js';

const RENDERERS = { markdown: renderMarkdown, json: renderJson } as const;

export async function reportCommand(ctx: CommandContext, opts: { format?: string; out?: string; since?: string }, now: number): Promise<number> {
  const format = (opts.format ?? 'markdown') as keyof typeof RENDERERS;
  const render = RENDERERS[format];
  if (!render) throw new UsageError(`--format: "${opts.format}" is not one of ${Object.keys(RENDERERS).join(', ')} (html and slack are not built yet)`);
  const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.config.timezone);
  const store = openStore(ctx.config, ctx.io.cwd);
  try {
    const identity = await loadIdentity(ctx.config, store);
    const report = await reportFromStore({ store, config: ctx.config, engine: engineFromConfig(ctx.config, identity), identity, now, since });
    const text = render(report);
    if (opts.out) {
      const file = resolve(ctx.io.cwd, opts.out);
      writeFileSync(file, text);
      ctx.io.err(`report written to ${file}\n`);
    } else ctx.io.out(text);
    return 0;
  } finally {
    await store.close();
  }
}

/** A date is the start of that day in the team timezone; a date-time is taken as written. */
function parseSince(s: string, tz: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(s) && isTimeZone(tz) ? startOfDay(s, tz) : Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--since: "${s}" is not a date (YYYY-MM-DD) or date-time`);
  return new Date(t).toISOString();
}
