/** The report as Markdown (for files, GitHub, Notion). Every item links to its source ticket. */
import { humanDate, humanDateTime } from '../calendar.js';
import { HEADLINE_KEYS, type Report, type ReportItem } from './model.js';

const HEADLINE_LABELS: Record<(typeof HEADLINE_KEYS)[number], string> = {
  open: 'Open',
  done: 'Done in the window',
  verified: 'Verified in the window',
  new: 'New in the window',
  overdue: 'Overdue',
  atRisk: 'At risk',
  blocked: 'Blocked',
  ownerless: 'Without one owner',
  undated: 'Without a due date',
};

const escape = (s: string) => s.replace(/([\\`*_[\]|<>])/g, '\\$1');
const link = (i: ReportItem) => (i.url ? `[${escape(i.label)}](${i.url})` : escape(i.label));
/**
 * A task is listed once in full — every open flag's reason under it — and wherever it comes again, as
 * a link that says it is listed above.
 */
const lines = (seen: Set<string>) => (i: ReportItem, extra?: string) => {
  if (seen.has(i.id)) return `- ${link(i)} ${escape(i.title)} — listed above`;
  seen.add(i.id);
  const meta = [i.owner ?? 'no owner', i.due ? `due ${humanDate(i.due)}` : null].filter(Boolean).join(', ');
  const why = extra ?? i.reason;
  const also = (i.flags ?? []).filter((f) => f.reason !== why && f.reason !== i.reason).map((f) => `  - ${escape(f.reason)}`);
  return [`- ${link(i)} ${escape(i.title)} — ${meta}${why ? ` — ${escape(why)}` : ''}`, ...also].join('\n');
};
/** Long lists fold: a report is read, not searched (the JSON form and `taskwire tasks` have everything). */
export const LIST_LIMIT = 50;
const cap = <T>(xs: readonly T[]): readonly T[] => (xs.length > LIST_LIMIT ? xs.slice(0, LIST_LIMIT) : xs);
const more = (xs: readonly unknown[]): string[] => (xs.length > LIST_LIMIT ? [`- …and ${xs.length - LIST_LIMIT} more`] : []);
const signed = (n: number) => (n > 0 ? `+${n}` : n === 0 ? '±0' : String(n));

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const seen = new Set<string>();
  const line = lines(seen);
  const section = (title: string, body: string[], empty: string) => {
    out.push('', `## ${title}`, '');
    out.push(...(body.length ? body : [empty]));
  };
  const sub = (title: string, items: readonly ReportItem[]) => (items.length ? [`**${title}** (${items.length})`, '', ...cap(items).map((i) => line(i)), ...more(items), ''] : []);

  const at = (iso: string) => humanDateTime(iso, r.timezone);
  out.push(`# ${escape(r.title)} — ${at(r.window.to).slice(0, -6)}`);
  out.push('', `Since ${at(r.window.from)} · generated ${at(r.generatedAt)} (${r.timezone})`);
  out.push('', ...r.summary.map((l) => `> ${escape(l)}  `));

  out.push('', '| | now | since last report |', '| --- | ---: | ---: |');
  for (const k of HEADLINE_KEYS) out.push(`| ${HEADLINE_LABELS[k]} | ${r.headline[k]} | ${r.change ? signed(r.change[k]) : '—'} |`);

  section('Stand-up', r.standup.map((p) => `- **${escape(p.name)}** — ${escape(p.line)}`), 'Nobody has done, doing, stuck or to-verify work on record.');

  const d = r.needsDecision;
  section(
    'Needs a decision',
    [
      ...sub('Nobody owns these', d.ownerless),
      ...sub('Owned by a team, not a person', d.teamOwned),
      ...sub('Shared by several people', d.sharedOwner),
      ...sub('No due date', d.undated),
      ...sub('No priority', d.unprioritized),
      ...(d.cycles.length ? [`**Dependency cycles** (${d.cycles.length})`, '', ...d.cycles.map((c) => `- ${escape(c.reason)}`), ''] : []),
    ],
    'Nothing needs a decision.',
  );

  const a = r.atRisk;
  section(
    'At risk',
    [
      ...sub('Overdue', a.overdue),
      ...(a.deadline.length
        ? [
            `**Trending toward a missed date** (${a.deadline.length})`,
            '',
            ...cap(a.deadline).flatMap((i) => {
              const first = !seen.has(i.id);
              return [line(i, `${i.level} risk (${Math.round(i.pMiss * 100)}%), expected ${i.expectedFinish ? humanDate(i.expectedFinish) : 'unknown'}`), ...(first ? i.reasons.map((x) => `  - ${escape(x)}`) : [])];
            }),
            ...more(a.deadline),
            '',
          ]
        : []),
      ...sub('Dependency at risk', a.dependency),
      ...sub('Blocked', a.blocked),
      ...sub('Stale: no activity for a while', a.stale),
    ],
    'Nothing is at risk.',
  );

  section(
    'Done, awaiting verification',
    [...cap(r.awaitingVerification).map((i) => `${line(i, `verify: ${i.verifier ?? 'nobody known — name a verifier'}`)}${i.acceptanceCriteria ? `\n  - criteria: ${escape(i.acceptanceCriteria.replace(/\s+/g, ' ').trim())}` : ''}`), ...more(r.awaitingVerification)],
    'Nothing is waiting for verification.',
  );

  section(
    'By person',
    r.byPerson.flatMap((p) => [
      `### ${escape(p.name)}`,
      '',
      ...[
        ['Overdue', p.overdue],
        ['Due today', p.dueToday],
        ['At risk', p.atRisk],
        ['Blocked', p.blocked],
        ['Waiting for them to verify', p.toVerify],
      ].flatMap(([title, items]) => sub(title as string, items as ReportItem[])),
    ]),
    'Nobody has anything overdue, due today, at risk, blocked or to verify.',
  );

  section(
    'Milestones and projects',
    r.health.map(
      (g) =>
        `- **${escape(g.name)}** (${g.kind}) — ${g.state.replace('_', ' ')}: ${escape(g.reasons.join('; '))} · ${g.done} of ${g.total} done (${Math.round(g.verifiedShare * 100)}% verified), ${g.open} remaining${g.burndown ? ` (${g.burndown[0]!.remaining} ${humanDate(g.burndown[0]!.date)} → ${g.burndown.at(-1)!.remaining} now)` : ''} · forecast ${g.forecastFinish ? humanDate(g.forecastFinish) : '—'} vs due ${g.plannedFinish ? humanDate(g.plannedFinish) : '—'}`,
    ),
    'No milestones or projects.',
  );

  const c = r.changes;
  section(
    'Changes since the last report',
    [
      ...sub('Created', c.created),
      ...sub('Closed', c.closed),
      ...sub('Reopened', c.reopened),
      ...(c.statusMoves.length ? [`**Status moves** (${c.statusMoves.length})`, '', ...cap(c.statusMoves).map((m) => `- ${link(m.item)} ${escape(m.item.title)}: ${m.from} → ${m.to}`), ''] : []),
    ],
    'No changes.',
  );

  section(
    r.followups.mode === 'plan' ? 'Follow-ups taskwire would send (plan mode)' : 'Follow-ups sent',
    cap(r.followups.items).map((f) => `- ${f.channel} to ${escape(f.to)}: ${escape(f.what)}${f.state === 'dead' ? ' (failed)' : ''}`),
    'None.',
  );

  section(
    'Sync health',
    [
      ...r.sync.connectors.map(
        (s) =>
          `- **${s.name}** (${s.kind}): last sync ${s.lastSyncAt ? at(s.lastSyncAt) : 'never'}${s.webhookFailures ? `, ${s.webhookFailures} webhook failure(s)` : ''}${s.deadLetters ? `, ${s.deadLetters} dead letter(s)` : ''}${s.failingItems ? `, ${s.failingItems} item(s) failing to be read (taskwire health)` : ''}`,
      ),
      ...(r.sync.unmappedPeople.length ? [`- Unmapped people (${r.sync.unmappedPeople.length}): ${r.sync.unmappedPeople.map((p) => `${p.kind}:${escape(p.name ?? p.id)}`).join(', ')}`] : []),
      ...(r.sync.unresolvedReferences ? [`- ${r.sync.unresolvedReferences} reference(s) to items taskwire does not track`] : []),
    ],
    'No connectors configured.',
  );
  return `${out.flatMap((l) => l.split('\n')).map(wrap).join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Lines under WIDTH columns: a list item goes on, indented, on the next line (still one item in Markdown). */
export const WIDTH = 120;
function wrap(line: string): string {
  if (line.length <= WIDTH || line.startsWith('|')) return line;
  const indent = ' '.repeat((/^\s*(?:[-*] |> )?/.exec(line)?.[0] ?? '').length);
  const words = line.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur !== '' && cur.length + 1 + w.length > WIDTH) {
      lines.push(cur);
      cur = indent + w;
    } else cur = cur === '' ? w : `${cur} ${w}`;
  }
  lines.push(cur);
  return lines.join('\n');
}
