/**
 * The report as Slack Block Kit, within Slack's limits (at most 50 blocks, 3,000 characters in a text
 * field): headline numbers, what needs a decision, what is at risk, what waits for verification, and
 * each section folded to its first items with "and N more" pointing to the HTML report.
 */
import { humanDate, humanDateTime } from '../calendar.js';
import { HEADLINE_KEYS, type Report, type ReportItem } from './model.js';

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_TEXT = 3000;
const PER_SECTION = 8;

const LABELS: Record<(typeof HEADLINE_KEYS)[number], string> = {
  open: 'open',
  done: 'done',
  verified: 'verified',
  new: 'new',
  overdue: 'overdue',
  atRisk: 'at risk',
  blocked: 'blocked',
  ownerless: 'without one owner',
  undated: 'undated',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const link = (i: ReportItem) => (i.url ? `<${i.url}|${esc(i.label)}>` : esc(i.label));
const clip = (s: string) => (s.length <= SLACK_MAX_TEXT ? s : `${s.slice(0, SLACK_MAX_TEXT - 1)}…`);

export interface SlackReport {
  readonly text: string;
  readonly blocks: unknown[];
}

export function renderSlack(r: Report, htmlUrl: string | null = null): SlackReport {
  const blocks: unknown[] = [];
  const day = humanDateTime(r.window.to, r.timezone).slice(0, -6);
  blocks.push({ type: 'header', text: { type: 'plain_text', text: `${r.title} — ${day}`.slice(0, 150) } });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(r.summary.map(esc).join('\n')) } });
  const nums = HEADLINE_KEYS.map((k) => `*${r.headline[k]}* ${LABELS[k]}${r.change && r.change[k] !== 0 ? ` (${r.change[k] > 0 ? '+' : ''}${r.change[k]})` : ''}`);
  blocks.push({ type: 'section', fields: nums.slice(0, 10).map((t) => ({ type: 'mrkdwn', text: t })) });
  const more = (n: number) => (n > PER_SECTION ? `\n…and ${n - PER_SECTION} more${htmlUrl ? ` in <${htmlUrl}|the full report>` : ' in the full report'}` : '');
  const group = (title: string, items: readonly ReportItem[], why: (i: ReportItem) => string = (i) => i.reason ?? '') => {
    if (items.length === 0) return;
    const lines = items.slice(0, PER_SECTION).map((i) => `• ${link(i)} ${esc(i.title)}${i.owner ? ` — ${esc(i.owner)}` : ''}${i.due ? `, due ${humanDate(i.due)}` : ''}${why(i) ? ` — _${esc(why(i))}_` : ''}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}* (${items.length})\n${lines.join('\n')}${more(items.length)}`) } });
  };
  if (r.standup.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Stand-up*\n${r.standup.slice(0, PER_SECTION).map((p) => `• *${esc(p.name)}* — ${esc(p.line)}`).join('\n')}${more(r.standup.length)}`) } });
  const d = r.needsDecision;
  if (d.ownerless.length + d.teamOwned.length + d.sharedOwner.length + d.undated.length + d.cycles.length > 0) blocks.push({ type: 'divider' });
  group('Nobody owns these', d.ownerless);
  group('Owned by a team, not a person', d.teamOwned);
  group('Shared by several people', d.sharedOwner);
  group('No due date', d.undated);
  if (d.cycles.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Dependency cycles* (${d.cycles.length})\n${d.cycles.slice(0, PER_SECTION).map((c) => `• ${esc(c.reason)}`).join('\n')}${more(d.cycles.length)}`) } });
  const a = r.atRisk;
  if (a.overdue.length + a.deadline.length + a.blocked.length + a.dependency.length + a.stale.length > 0) blocks.push({ type: 'divider' });
  group('Overdue', a.overdue);
  group('Trending toward a missed date', a.deadline, (i) => {
    const x = a.deadline.find((y) => y.id === i.id)!;
    return `${Math.round(x.pMiss * 100)}% likely late${x.reasons[0] ? `: ${x.reasons[0]}` : ''}`;
  });
  group('A dependency is at risk', a.dependency);
  group('Blocked', a.blocked);
  group('Stale', a.stale);
  if (r.awaitingVerification.length) {
    blocks.push({ type: 'divider' });
    group('Done, awaiting verification', r.awaitingVerification, (i) => {
      const v = r.awaitingVerification.find((y) => y.id === i.id)!.verifier;
      return v ? `verify: ${v}` : 'nobody named to verify';
    });
  }
  const off = r.health.filter((h) => h.state !== 'on_track');
  if (off.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Milestones and projects needing attention* (${off.length})\n${off.slice(0, PER_SECTION).map((h) => `• *${esc(h.name)}*: ${h.state.replace('_', ' ')} — ${esc(h.reasons.join('; '))}`).join('\n')}${more(off.length)}`) } });
  const stale = r.sync.connectors.filter((c) => c.lastSyncAt === null || c.deadLetters > 0 || c.webhookFailures > 0);
  if (stale.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Sync: ${stale.map((c) => `${c.name}${c.lastSyncAt === null ? ' never synced' : ''}${c.deadLetters ? `, ${c.deadLetters} dead letters` : ''}${c.webhookFailures ? `, ${c.webhookFailures} failed webhooks` : ''}`).join('; ')}`) }] });
  if (htmlUrl) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${htmlUrl}|Open the full report>` }] });
  // Never over the block limit: the tail is folded into one line.
  if (blocks.length > SLACK_MAX_BLOCKS) {
    const dropped = blocks.length - (SLACK_MAX_BLOCKS - 1);
    blocks.splice(SLACK_MAX_BLOCKS - 1);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…${dropped} more sections in the full report` }] });
  }
  const text = `${r.title} — ${day}: ${r.headline.open} open, ${r.headline.overdue} overdue, ${r.headline.atRisk} at risk, ${r.headline.blocked} blocked, ${r.headline.ownerless} without one owner`;
  return { text, blocks };
}
