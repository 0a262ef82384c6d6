/** `taskwire check`: validate the config and say, briefly, what it sets up. */
import { findConnectorModule } from '../../connectors/index.js';
import type { Config } from '../config/schema.js';
import { connectorAvailable, createConnector, storePath } from '../main.js';
import type { CommandContext } from './context.js';

export async function checkCommand(ctx: CommandContext, opts: { online?: boolean } = {}): Promise<number> {
  ctx.io.out(summarize(ctx.config, ctx.file, ctx.io.cwd));
  if (!opts.online) return 0;
  return checkOnline(ctx);
}

/** Reaches each enabled connector's tool with its credentials; exit 1 when any reports a problem. */
async function checkOnline(ctx: CommandContext): Promise<number> {
  let problems = 0;
  ctx.io.out('online:\n');
  for (const c of ctx.config.connectors.filter((x) => x.enabled)) {
    if (!connectorAvailable(c)) {
      ctx.io.out(`  ${c.name}: not available in this build — skipped\n`);
      continue;
    }
    const connector = createConnector(c, { log: ctx.log, timezone: ctx.config.timezone, timing: { retries: 1 } });
    try {
      const r = connector.checkOnline ? await connector.checkOnline() : { ok: ['no online check for this connector'], problems: [] };
      for (const line of r.ok) ctx.io.out(`  ${c.name}: ok — ${line}\n`);
      for (const line of r.problems) ctx.io.out(`  ${c.name}: PROBLEM — ${line}\n`);
      problems += r.problems.length;
    } catch (err) {
      ctx.io.out(`  ${c.name}: PROBLEM — ${(err as Error).message}\n`);
      problems++;
    } finally {
      await connector.close?.();
    }
  }
  return problems === 0 ? 0 : 1;
}

export function summarize(c: Config, file: string, cwd: string): string {
  const lines: string[] = [`${file}: valid`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(11)} ${text}`);
  const cal = c.calendar;
  row('timezone', `${c.timezone} (${cal.workdays.join(' ')} ${cal.hours.start}–${cal.hours.end}, ${cal.holidays.length} holiday(s))`);
  row('store', `sqlite at ${storePath(c, cwd)}`);
  row('server', `${c.server.host}:${c.server.port}, API ${c.server.apiToken ? 'on (bearer token)' : 'off (no server.apiToken)'}`);
  row('people', `${c.people.length} ${c.people.length === 1 ? 'person' : 'people'}, ${c.teams.length} team(s)${c.teams.length ? `: ${c.teams.map((t) => `${t.id} (${t.members.length} members${t.lead ? `, lead ${t.lead}` : ''})`).join(', ')}` : ''}`);
  const disabled = Object.entries(c.rules).filter(([k, r]) => k !== 'exempt' && 'enabled' in r && !r.enabled).map(([k]) => k);
  row('rules', disabled.length ? `all on except ${disabled.join(', ')}` : 'all on');
  row('follow-ups', c.followups.mode === 'plan' ? 'plan mode: planned and listed (taskwire plan), nothing is sent' : 'send mode: follow-ups are sent');
  row('report', `"${c.report.schedule}" (${c.timezone}) → ${c.report.outputDir}/${c.report.post.length ? `, posted to ${c.report.post.map((p) => `${p.channel} via ${p.connector}`).join(', ')}` : ''}`);
  row('connectors', c.connectors.length === 0 ? 'none configured' : `${c.connectors.length}`);
  for (const conn of c.connectors) {
    const describe = describeConnector(conn);
    const state = !conn.enabled ? 'disabled' : connectorAvailable(conn) ? `every ${Math.round(conn.pollInterval / 60000)}m` : 'not available in this build yet';
    lines.push(`    ${conn.name} (${conn.type}): ${describe} [${state}]`);
  }
  return `${lines.join('\n')}\n`;
}

function describeConnector(conn: Config['connectors'][number]): string {
  const module = findConnectorModule(conn.type);
  if (module === undefined) return '';
  // The registry's union of modules cannot narrow by `type`; each module describes its own config.
  return (module.describe as (c: typeof conn) => string)(conn);
}
