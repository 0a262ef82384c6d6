/**
 * The report as one self-contained HTML file: readable on a phone, printable, no scripts, no external
 * assets. Charts are inline SVG rendered server-side with Vega-Lite (open and flagged over 14 days,
 * flags by kind, milestone progress against time, work per owner). Long lists fold ("and N more"); the
 * JSON form has everything.
 */
import type { TopLevelSpec } from 'vega-lite';
import { humanDate, humanDateTime } from '../calendar.js';
import { HEADLINE_KEYS, type Report, type ReportItem } from './model.js';

export const LIST_LIMIT = 50;

const HEADLINE_LABELS: Record<(typeof HEADLINE_KEYS)[number], string> = {
  open: 'Open',
  done: 'Done',
  verified: 'Verified',
  new: 'New',
  overdue: 'Overdue',
  atRisk: 'At risk',
  blocked: 'Blocked',
  ownerless: 'No single owner',
  undated: 'No due date',
};

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function renderHtml(r: Report): Promise<string> {
  const charts = await Promise.all([trendChart(r), flagsChart(r), milestoneChart(r), burndownChart(r), workloadChart(r)]);
  const at = (iso: string) => humanDateTime(iso, r.timezone);
  const day = at(r.window.to).slice(0, -6);
  const parts: string[] = [];
  const { itemHtml, list, first } = listing(new Map());
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(r.title)} — ${esc(day)}</title><style>${CSS}</style></head><body><main>`);
  parts.push(`<header><h1>${esc(r.title)} <small>${esc(day)}</small></h1><p class="meta">Since ${esc(at(r.window.from))} · generated ${esc(at(r.generatedAt))} (${esc(r.timezone)}) · follow-ups in ${r.followups.mode} mode</p></header>`);
  parts.push(`<section class="summary" aria-label="Summary">${r.summary.map((l) => `<p>${esc(l)}</p>`).join('')}</section>`);
  parts.push('<section class="headline" aria-label="Headline numbers">');
  for (const k of HEADLINE_KEYS) {
    const c = r.change?.[k];
    parts.push(`<div class="num ${k}"><b>${r.headline[k]}</b><span>${HEADLINE_LABELS[k]}</span>${c === undefined ? '' : `<i>${c > 0 ? `+${c}` : c === 0 ? '±0' : c}</i>`}</div>`);
  }
  parts.push('</section>');
  parts.push(`<section class="charts">${charts.filter((c) => c !== null).map((c) => `<figure>${c.svg}<figcaption>${esc(c.title)}</figcaption></figure>`).join('')}</section>`);

  parts.push(section('Stand-up', [r.standup.length ? `<ul>${r.standup.map((p) => `<li><b>${esc(p.name)}</b> — ${esc(p.line)}</li>`).join('')}</ul>` : ''], 'Nobody has done, doing, stuck or to-verify work on record.'));
  const d = r.needsDecision;
  parts.push(section('Needs a decision', [list('Nobody owns these', d.ownerless), list('Owned by a team, not a person', d.teamOwned), list('Shared by several people', d.sharedOwner), list('No due date', d.undated), list('No priority', d.unprioritized), d.cycles.length ? `<h3>Dependency cycles (${d.cycles.length})</h3><ul>${d.cycles.map((c) => `<li>${esc(c.reason)}</li>`).join('')}</ul>` : ''], 'Nothing needs a decision.'));
  const a = r.atRisk;
  parts.push(
    section(
      'At risk',
      [
        list('Overdue', a.overdue),
        a.deadline.length
          ? `<h3>Trending toward a missed date (${a.deadline.length})</h3><ul>${a.deadline
              .slice(0, LIST_LIMIT)
              .map((x) => {
                const full = first(x.id);
                return `<li>${itemHtml(x, x.reason)} <span class="risk ${x.level}">${Math.round(x.pMiss * 100)}% likely late${x.expectedFinish ? `, forecast ${esc(humanDate(x.expectedFinish))}` : ''}</span>${full ? `<ul class="why">${x.reasons.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}</li>`;
              })
              .join('')}${more(a.deadline.length)}</ul>`
          : '',
        list('A dependency is at risk', a.dependency),
        list('Blocked', a.blocked),
        list('Stale: no activity for a while', a.stale),
      ],
      'Nothing is at risk.',
    ),
  );
  parts.push(
    section(
      'Done, awaiting verification',
      [r.awaitingVerification.length ? `<ul>${r.awaitingVerification.slice(0, LIST_LIMIT).map((x) => `<li>${itemHtml(x, x.reason)} — verify: <b>${esc(x.verifier ?? 'nobody named')}</b>${x.acceptanceCriteria ? `<div class="ac">${esc(x.acceptanceCriteria)}</div>` : ''}</li>`).join('')}${more(r.awaitingVerification.length)}</ul>` : ''],
      'Nothing is waiting for verification.',
    ),
  );
  parts.push(
    section(
      'By person',
      r.byPerson.slice(0, LIST_LIMIT).map((p) => `<details><summary><b>${esc(p.name)}</b> — ${[p.overdue.length && `${p.overdue.length} overdue`, p.dueToday.length && `${p.dueToday.length} due today`, p.atRisk.length && `${p.atRisk.length} at risk`, p.blocked.length && `${p.blocked.length} blocked`, p.toVerify.length && `${p.toVerify.length} to verify`].filter(Boolean).join(', ')}</summary>${list('Overdue', p.overdue)}${list('Due today', p.dueToday)}${list('At risk', p.atRisk)}${list('Blocked', p.blocked)}${list('To verify', p.toVerify)}</details>`),
      'Nobody has anything overdue, due today, at risk, blocked or to verify.',
    ),
  );
  parts.push(
    section(
      'Milestones and projects',
      r.health.length
        ? [`<table><thead><tr><th>Group</th><th>Health</th><th>Open</th><th>Done</th><th>Forecast / planned</th></tr></thead><tbody>${r.health.slice(0, LIST_LIMIT).map((h) => `<tr><td>${esc(h.name)} <small>${h.kind}</small></td><td class="h ${h.state}">${h.state.replace('_', ' ')}${h.reasons.length ? `<br><small>${esc(h.reasons.join('; '))}</small>` : ''}</td><td>${h.open}${h.burndown ? `<br><small>${h.burndown[0]!.remaining} on ${esc(humanDate(h.burndown[0]!.date))}</small>` : ''}</td><td>${h.done} of ${h.total}</td><td>${h.forecastFinish ? esc(humanDate(h.forecastFinish)) : '—'} / ${h.plannedFinish ? esc(humanDate(h.plannedFinish)) : '—'}</td></tr>`).join('')}</tbody></table>`]
        : [],
      'No milestones or projects.',
    ),
  );
  const ch = r.changes;
  parts.push(section('Changes since the last report', [list('Created', ch.created), list('Closed', ch.closed), list('Reopened', ch.reopened), ch.statusMoves.length ? `<h3>Status moves (${ch.statusMoves.length})</h3><ul>${ch.statusMoves.slice(0, LIST_LIMIT).map((m) => `<li>${itemHtml(m.item)}: ${esc(m.from)} → <b>${esc(m.to)}</b></li>`).join('')}${more(ch.statusMoves.length)}</ul>` : ''], 'No changes.'));
  parts.push(section(r.followups.mode === 'plan' ? 'Follow-ups taskwire would send (plan mode)' : 'Follow-ups sent', r.followups.items.length ? [`<ul>${r.followups.items.slice(0, LIST_LIMIT).map((f) => `<li>${esc(f.what)} to ${esc(f.to)} via ${esc(f.channel)} <small>${f.state}</small></li>`).join('')}${more(r.followups.items.length)}</ul>`] : [], 'None.'));
  parts.push(
    section(
      'Sync health',
      [
        `<table><thead><tr><th>Connector</th><th>Last sync</th><th>Webhook failures</th><th>Dead letters</th></tr></thead><tbody>${r.sync.connectors.map((c) => `<tr><td>${esc(c.name)} <small>${c.kind}</small></td><td>${c.lastSyncAt ? esc(at(c.lastSyncAt)) : 'never'}</td><td>${c.webhookFailures}</td><td>${c.deadLetters}</td></tr>`).join('')}</tbody></table>`,
        r.sync.unmappedPeople.length ? `<p>People seen in the tools but not in the registry: ${r.sync.unmappedPeople.map((p) => esc(`${p.name ?? p.id} (${p.kind})`)).join(', ')}</p>` : '',
        r.sync.unresolvedReferences ? `<p>${r.sync.unresolvedReferences} references to work taskwire cannot see.</p>` : '',
      ],
      '',
    ),
  );
  parts.push('</main></body></html>\n');
  return parts.join('');
}

function section(title: string, body: string[], empty: string): string {
  const content = body.filter((b) => b !== '').join('');
  return `<section><h2>${esc(title)}</h2>${content || `<p class="empty">${esc(empty)}</p>`}</section>`;
}

/**
 * A task is shown once in full (an anchor, every open flag's reason); wherever it comes again, as a
 * link to that first place.
 */
function listing(seen: Map<string, number>) {
  const itemHtml = (i: ReportItem, why?: string): string => {
    const label = i.url ? `<a href="${esc(i.url)}">${esc(i.label)}</a>` : esc(i.label);
    const at = seen.get(i.id);
    if (at !== undefined) return `${label} ${esc(i.title)} — <a href="#t${at}">listed above</a>`;
    seen.set(i.id, seen.size);
    const meta = [i.owner ?? 'no owner', i.due ? `due ${humanDate(i.due)}` : null].filter(Boolean).join(', ');
    const also = (i.flags ?? []).filter((f) => f.reason !== why && f.reason !== i.reason);
    return `<span id="t${seen.get(i.id)}">${label} ${esc(i.title)}</span> <small>${esc(meta)}</small>${why ? ` — <span class="why">${esc(why)}</span>` : ''}${also.length ? `<ul class="why">${also.map((f) => `<li>${esc(f.reason)}</li>`).join('')}</ul>` : ''}`;
  };
  const list = (title: string, items: readonly ReportItem[]): string => {
    if (items.length === 0) return '';
    return `<h3>${esc(title)} (${items.length})</h3><ul>${items
      .slice(0, LIST_LIMIT)
      .map((i) => `<li>${itemHtml(i, i.reason)}</li>`)
      .join('')}${more(items.length)}</ul>`;
  };
  return { itemHtml, list, first: (id: string) => !seen.has(id) };
}

const more = (n: number) => (n > LIST_LIMIT ? `<li class="more">…and ${n - LIST_LIMIT} more (the JSON report and taskwire tasks list them all)</li>` : '');

// ---- charts (Vega-Lite, rendered to SVG on the server) ----

export async function svgOf(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: a command that draws no chart does not pay for Vega.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return (await view.toSVG()).replace(/<svg /, '<svg role="img" ');
  } finally {
    view.finalize();
  }
}

export const BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 160, config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 140 }, legend: { labelFontSize: 11, titleFontSize: 11 }, font: 'system-ui, sans-serif' } } as const;

async function trendChart(r: Report) {
  if (r.trend.length === 0) return null;
  const values = r.trend.flatMap((p) => [
    { date: p.date, series: 'open', n: p.open },
    { date: p.date, series: 'flagged', n: p.flagged },
  ]);
  const svg = await svgOf({ ...BASE, width: 320, data: { values }, mark: { type: 'line', point: true }, encoding: { x: { field: 'date', type: 'temporal', title: null, axis: { format: '%d %b' } }, y: { field: 'n', type: 'quantitative', title: 'tasks' }, color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#2563eb', '#dc2626'] } } } });
  return { title: 'Open and flagged tasks, last 14 days', svg };
}

async function flagsChart(r: Report) {
  const values = Object.entries(r.flagCounts).map(([code, n]) => ({ code: code.replace(/_/g, ' '), n }));
  if (values.length === 0) return null;
  const svg = await svgOf({ ...BASE, width: 320, height: Math.max(80, values.length * 18), data: { values }, mark: 'bar', encoding: { y: { field: 'code', type: 'nominal', sort: '-x', title: null }, x: { field: 'n', type: 'quantitative', title: 'open flags' }, color: { field: 'code', type: 'nominal', legend: null, scale: { scheme: 'tableau10' } } } });
  return { title: 'Open flags by kind', svg };
}

async function milestoneChart(r: Report) {
  const values = r.health
    .filter((h) => h.kind === 'milestone')
    .slice(0, 12)
    .map((h) => ({ name: h.name, done: Math.round(h.doneShare * 100), state: h.state.replace('_', ' ') }));
  if (values.length === 0) return null;
  const svg = await svgOf({ ...BASE, width: 320, height: Math.max(80, values.length * 22), data: { values }, mark: 'bar', encoding: { y: { field: 'name', type: 'nominal', title: null }, x: { field: 'done', type: 'quantitative', title: '% done', scale: { domain: [0, 100] } }, color: { field: 'state', type: 'nominal', title: null, scale: { domain: ['on track', 'at risk', 'off track'], range: ['#16a34a', '#f59e0b', '#dc2626'] } } } });
  return { title: 'Milestones: share done, by health', svg };
}

/** Open tasks per milestone over the last days: the burndown, where history reaches back. */
async function burndownChart(r: Report) {
  const lines = r.health.filter((h) => h.kind === 'milestone' && h.burndown && h.total > 0).slice(0, 6);
  if (lines.length === 0) return null;
  const values = lines.flatMap((h) => h.burndown!.map((p) => ({ date: p.date, milestone: h.name, remaining: p.remaining })));
  const svg = await svgOf({ ...BASE, width: 320, data: { values }, mark: { type: 'line', point: true }, encoding: { x: { field: 'date', type: 'temporal', title: null, axis: { format: '%d %b' } }, y: { field: 'remaining', type: 'quantitative', title: 'open tasks' }, color: { field: 'milestone', type: 'nominal', title: null, legend: { orient: 'bottom' }, scale: { scheme: 'tableau10' } } } });
  return { title: 'Milestones: open tasks, last 14 days', svg };
}

async function workloadChart(r: Report) {
  const values = [...r.workload]
    .sort((a, b) => b.open - a.open)
    .slice(0, 15)
    .flatMap((w) => [
      { name: w.name, kind: 'on track', n: Math.max(0, w.open - w.overdue - w.atRisk) },
      { name: w.name, kind: 'at risk', n: w.atRisk },
      { name: w.name, kind: 'overdue', n: w.overdue },
    ]);
  if (values.length === 0) return null;
  const svg = await svgOf({ ...BASE, width: 320, height: Math.max(80, (values.length / 3) * 20), data: { values }, mark: 'bar', encoding: { y: { field: 'name', type: 'nominal', title: null }, x: { field: 'n', type: 'quantitative', title: 'open tasks', stack: 'zero' }, color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['on track', 'at risk', 'overdue'], range: ['#94a3b8', '#f59e0b', '#dc2626'] } } } });
  return { title: 'Open work per owner', svg };
}

export const CSS = `
:root{color-scheme:light;--fg:#111827;--muted:#6b7280;--line:#e5e7eb}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:#f9fafb}
main{max-width:960px;margin:0 auto;padding:16px}h1{font-size:1.4rem;margin:.2rem 0}h1 small{color:var(--muted);font-weight:400}
h2{font-size:1.1rem;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:1.6rem}h3{font-size:.95rem;margin:1rem 0 .3rem}
.meta,.empty,small{color:var(--muted)}a{color:#1d4ed8}ul{padding-left:1.2rem;margin:.3rem 0}li{margin:.15rem 0}
.summary{background:#fff;border:1px solid var(--line);border-left:4px solid #1d4ed8;border-radius:8px;padding:6px 12px;margin:12px 0}.summary p{margin:.2rem 0}
.headline{display:grid;grid-template-columns:repeat(auto-fill,minmax(96px,1fr));gap:8px;margin:12px 0}
.num{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px;display:flex;flex-direction:column}.num b{font-size:1.4rem}.num span{font-size:.8rem;color:var(--muted)}.num i{font-size:.75rem;color:var(--muted);font-style:normal}
.num.overdue b,.num.atRisk b{color:#b91c1c}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px;overflow-x:auto}figure svg{max-width:none;height:auto}figcaption{font-size:.85rem;color:var(--muted)}
.risk{font-size:.8rem;border-radius:4px;padding:0 4px}.risk.high{background:#fee2e2}.risk.medium{background:#fef3c7}.why{color:#374151}ul.why{font-size:.85rem}
.ac{font-size:.85rem;background:#fff;border-left:3px solid var(--line);padding:2px 8px;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;font-size:.9rem}
.h.on_track{color:#15803d}.h.at_risk{color:#b45309}.h.off_track{color:#b91c1c}details{background:#fff;border:1px solid var(--line);border-radius:6px;padding:4px 8px;margin:4px 0}
.more{color:var(--muted);list-style:none}
@media print{body{background:#fff}details{border:0}details>summary{list-style:none}figure{break-inside:avoid}a{color:inherit;text-decoration:none}}
`;
