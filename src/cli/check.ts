/** `taskwire check`: validate the config and say, briefly, what it sets up. */
import { findConnectorModule } from '../../connectors/index.js';
import type { Config } from '../config/schema.js';
import type { TaskStore } from '../store/store.js';
import { connectorAvailable, connectorState, createConnector, foregroundTiming, openStore, storeDescription } from '../main.js';
import { warnIfNothingConfigured, type CommandContext } from './context.js';

export async function checkCommand(ctx: CommandContext, opts: { online?: boolean } = {}): Promise<number> {
  warnIfNothingConfigured(ctx);
  ctx.io.out(summarize(ctx.config, ctx.file, ctx.io.cwd));
  if (!opts.online) return 0;
  return checkOnline(ctx);
}

/**
 * Reaches each enabled connector's tool with its credentials, all at once, each given up on within
 * `http.timeout`; exit 1 when any reports a problem.
 */
async function checkOnline(ctx: CommandContext): Promise<number> {
  ctx.io.out('online:\n');
  const store = await openStore(ctx.config, ctx.io.cwd);
  try {
    const results = await Promise.all(ctx.config.connectors.filter((x) => x.enabled).map((c) => checkOne(ctx, c, store)));
    for (const lines of results) ctx.io.out(lines.text);
    return results.some((r) => r.problems > 0) ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function checkOne(ctx: CommandContext, c: Config['connectors'][number], store: TaskStore): Promise<{ text: string; problems: number }> {
  if (!connectorAvailable(c)) return { text: `  ${c.name}: not available in this build — skipped\n`, problems: 0 };
  const connector = await createConnector(c, { log: ctx.log, timezone: ctx.config.timezone, timing: { ...foregroundTiming(ctx.config), retries: 1 }, state: connectorState(store, c.name) });
  try {
    const r = connector.checkOnline ? await connector.checkOnline() : { ok: ['no online check for this connector'], problems: [] };
    return { text: [...r.ok.map((l) => `  ${c.name}: ok — ${l}\n`), ...r.problems.map((l) => `  ${c.name}: PROBLEM — ${withoutName(c.name, l)}\n`)].join(''), problems: r.problems.length };
  } catch (err) {
    return { text: `  ${c.name}: PROBLEM — ${withoutName(c.name, (err as Error).message)}\n`, problems: 1 };
  } finally {
    await connector.close?.();
  }
}

/** "jira-acme: unreachable — …" once, not "jira-acme: … jira-acme: unreachable — …". */
export const withoutName = (name: string, message: string) => (message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message);

export function summarize(c: Config, file: string, cwd: string): string {
  const lines: string[] = [`${file}: valid`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(11)} ${text}`);
  const cal = c.calendar;
  row('timezone', `${c.timezone} (${cal.workdays.join(' ')} ${cal.hours.start}–${cal.hours.end}, ${cal.holidays.length} holiday(s))`);
  row('store', storeDescription(c, cwd));
  const ui = c.server.ui;
  const signIn = [c.server.apiToken ? 'the API token' : null, ui.basicAuth ? `user ${ui.basicAuth.username}` : null].filter(Boolean).join(' or ');
  row('server', `${c.server.host}:${c.server.port}, API ${c.server.apiToken ? 'on (bearer token)' : 'off (no server.apiToken)'}, web UI ${ui.enabled ? `on at / (sign in with ${signIn})` : 'off (server.ui.enabled)'}`);
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
