/**
 * Delivering the daily report: written to the reports folder in the configured formats (a dated file and
 * `latest.*`), posted to the configured channels and — if asked — each owner's own part sent to them,
 * through the outbox (so a crash or a retry never posts twice, and plan mode posts nothing). Then the
 * window moves on: the next report covers what happened since.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Calendar, humanDate } from '../core/calendar.js';
import type { Identity } from '../core/identity.js';
import type { PlannedAction } from '../core/planner.js';
import type { Report } from '../core/report/model.js';
import { renderHtml } from '../core/report/render-html.js';
import { renderJson } from '../core/report/render-json.js';
import { renderMarkdown } from '../core/report/render-markdown.js';
import { renderSlack } from '../core/report/render-slack.js';
import type { Config } from '../config/schema.js';
import { engineFromConfig } from '../main.js';
import type { TaskStore } from '../store/store.js';
import { recordReport, reportFromStore } from './report.js';

export type ReportFormat = 'markdown' | 'html' | 'json' | 'slack';

export async function renderReport(r: Report, format: ReportFormat, htmlUrl: string | null = null): Promise<string> {
  switch (format) {
    case 'markdown':
      return renderMarkdown(r);
    case 'json':
      return renderJson(r);
    case 'html':
      return renderHtml(r);
    case 'slack':
      return `${JSON.stringify(renderSlack(r, htmlUrl), null, 2)}\n`;
  }
}

const EXT: Record<ReportFormat, string> = { markdown: 'md', html: 'html', json: 'json', slack: 'slack.json' };

export interface DeliveryResult {
  readonly files: string[];
  readonly posts: number;
}

export async function deliverReport(o: { store: TaskStore; config: Config; identity: Identity; cwd: string; now: number }): Promise<DeliveryResult> {
  const { store, config, identity, now } = o;
  const report = await reportFromStore({ store, config, engine: engineFromConfig(config, identity), identity, now });
  const cal = new Calendar({ timezone: config.timezone, ...config.calendar });
  const date = cal.localDate(now);
  const dir = resolve(o.cwd, config.report.outputDir);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const format of config.report.formats) {
    const text = await renderReport(report, format, config.report.htmlUrl ?? null);
    for (const name of [`taskwire-report-${date}.${EXT[format]}`, `latest.${EXT[format]}`]) {
      writeFileSync(join(dir, name), text);
      files.push(join(dir, name));
    }
  }
  const actions: PlannedAction[] = [];
  const slack = renderSlack(report, config.report.htmlUrl ?? null);
  for (const p of config.report.post) {
    const key = `report:${date}:${p.connector}:${p.channel}`;
    actions.push({ key, connector: p.connector, kind: 'report', taskId: null, recipient: p.channel, subject: key, action: { type: 'channel_post', channel: p.channel, text: slack.text, blocks: slack.blocks, idempotencyKey: key }, reason: `the daily report of ${humanDate(date)}`, notBefore: null, about: [] });
  }
  const dm = config.followups.directMessages?.connector;
  const dmKind = config.connectors.find((c) => c.name === dm)?.type;
  if (config.report.personalDigests && dm && dmKind) {
    for (const person of report.byPerson) {
      const address = config.people.find((x) => x.id === person.person)?.accounts[dmKind]?.[0];
      if (!address) continue;
      const key = `digest:${date}:${person.person}`;
      const lines = [
        ...person.overdue.map((i) => `- overdue: ${i.url ? `[${i.label}](${i.url})` : i.label} ${i.title}`),
        ...person.dueToday.map((i) => `- due today: ${i.url ? `[${i.label}](${i.url})` : i.label} ${i.title}`),
        ...person.atRisk.map((i) => `- at risk: ${i.url ? `[${i.label}](${i.url})` : i.label} ${i.title} — ${i.reason ?? ''}`),
        ...person.blocked.map((i) => `- blocked: ${i.url ? `[${i.label}](${i.url})` : i.label} ${i.title}`),
        ...person.toVerify.map((i) => `- to verify: ${i.url ? `[${i.label}](${i.url})` : i.label} ${i.title}`),
      ];
      actions.push({ key, connector: dm, kind: 'report', taskId: null, recipient: person.person, subject: key, action: { type: 'direct_message', accountId: address, text: `Your day, ${person.name.split(' ')[0]}:\n${lines.join('\n')}`, idempotencyKey: key }, reason: 'personal digest', notBefore: null, about: [] });
    }
  }
  const posts = await store.outbox.plan(actions, config.followups.mode, `report:${date}`);
  await recordReport(store, report);
  return { files, posts };
}
