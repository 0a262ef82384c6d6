/** The board page: filters in the URL, status columns, optional swimlanes, cards with their flags. */
import { humanDate } from '../../core/calendar.js';
import { FLAG_CODES } from '../../core/model.js';
import { GROUPS, type Board, type BoardColumn, type BoardFilters, type BoardLane } from './board.js';
import { html, query, safeUrl, type Safe } from './html.js';
import { page } from './layout.js';
import type { Card } from './snapshot.js';

const GROUP_LABEL: Record<BoardFilters['group'], string> = { status: 'status only', owner: 'owner', tool: 'tool', milestone: 'milestone' };

/** The filters as query parameters (what a shared link carries). */
export function filterParams(f: BoardFilters): Record<string, string | undefined> {
  const defaultLimit = f.group === 'status' ? 50 : 12;
  return { owner: f.owner, team: f.team, tool: f.tool, flag: f.flag, milestone: f.milestone, q: f.q, group: f.group === 'status' ? undefined : f.group, limit: f.limit === defaultLimit ? undefined : String(f.limit) };
}

export function boardPage(b: Board, user: string, today: string): Safe {
  const self = `/${query(filterParams(b.filters))}`;
  const body = html`<h1>Board <span class="count">${b.total} open task${b.total === 1 ? '' : 's'}${b.filters.group === 'status' ? '' : `, by ${b.filters.group}`}</span></h1>
${filterForm(b)}
${b.lanes.length === 0 ? html`<p>No open task matches these filters.</p>` : b.lanes.map((l) => lane(l, b, today))}
${b.hiddenLanes > 0 ? html`<p class="more">${b.hiddenLanes} more lanes not drawn: narrow the filters.</p>` : ''}`;
  return page({ title: 'Board', section: 'board', user, live: self }, body);
}

function filterForm(b: Board): Safe {
  const f = b.filters;
  const opt = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/" role="search" aria-label="Filter the board">
<div class="field"><label for="f-owner">Owner</label><select id="f-owner" name="owner">${opt('', 'anyone', f.owner)}${opt('none', 'no owner', f.owner)}${b.options.owners.map((o) => opt(o.id, o.label, f.owner))}</select></div>
<div class="field"><label for="f-team">Team</label><select id="f-team" name="team">${opt('', 'any team', f.team)}${b.options.teams.map((t) => opt(t.id, t.label, f.team))}</select></div>
<div class="field"><label for="f-tool">Tool</label><select id="f-tool" name="tool">${opt('', 'any tool', f.tool)}${b.options.tools.map((t) => opt(t, t, f.tool))}</select></div>
<div class="field"><label for="f-flag">Flag</label><select id="f-flag" name="flag">${opt('', 'any', f.flag)}${FLAG_CODES.filter((c) => b.options.flags.includes(c) || c === f.flag).map((c) => opt(c, c.replaceAll('_', ' '), f.flag))}</select></div>
<div class="field"><label for="f-milestone">Milestone</label><select id="f-milestone" name="milestone">${opt('', 'any', f.milestone)}${b.options.milestones.map((m) => opt(m, m, f.milestone))}</select></div>
<div class="field"><label for="f-q">Text</label><input id="f-q" type="search" name="q" value="${f.q ?? ''}" placeholder="title or key"></div>
<div class="field"><label for="f-group">Swimlanes</label><select id="f-group" name="group">${GROUPS.map((g) => opt(g === 'status' ? '' : g, GROUP_LABEL[g], f.group === 'status' ? undefined : f.group))}</select></div>
<button type="submit">Filter</button> <a href="/">clear</a></form>`;
}

function lane(l: BoardLane, b: Board, today: string): Safe {
  const inner = html`<div class="columns" tabindex="0">${l.columns.map((c) => column(c, l, b, today))}</div>`;
  if (b.filters.group === 'status') return html`<section class="lane" aria-label="Board">${inner}</section>`;
  return html`<section class="lane" aria-label="${l.label}"><h2>${l.label} <span class="count">${l.total}</span></h2>${inner}</section>`;
}

function column(c: BoardColumn, l: BoardLane, b: Board, today: string): Safe {
  const hidden = c.total - c.cards.length;
  const more = { ...filterParams(b.filters), ...l.filter, group: undefined, limit: String(Math.min(1000, Math.max(b.filters.limit * 4, 200))) };
  return html`<section class="column" data-column="${c.id}" aria-label="${c.label}"><h3><span>${c.label}</span><span class="count">${c.total}</span></h3>
${c.cards.map((card) => cardHtml(card, today))}
${hidden > 0 ? html`<a class="more" href="/${query(more)}">${hidden} more…</a>` : ''}</section>`;
}

export function cardHtml(c: Card, _today: string): Safe {
  const detail = `/tasks/${encodeURIComponent(c.id)}`;
  const url = safeUrl(c.url);
  return html`<article class="card" data-id="${c.id}" data-status="${c.status}">
<a class="title" href="${detail}">${c.title}</a>
<div class="meta"><span>${url ? html`<a href="${url}" rel="noopener noreferrer" target="_blank">${c.tool}${c.key ? ` ${c.key}` : ''}</a>` : html`${c.tool}${c.key ? ` ${c.key}` : ''}`}</span>
<span class="owner owner-${c.owner.kind}">${c.owner.label}</span>
${c.due ? html`<span class="due${c.overdue ? ' overdue' : ''}">${c.overdue ? 'overdue, ' : ''}due <time datetime="${c.due}">${humanDate(c.due)}</time></span>` : ''}
${c.priority ? html`<span class="priority">${c.priority}</span>` : ''}${c.milestone ? html`<span>${c.milestone}</span>` : ''}</div>
${c.flags.length ? html`<div class="badges">${c.flags.map((f) => html`<span class="badge sev-${f.severity}" data-flag="${f.code}" title="${f.reason}">${f.code.replaceAll('_', ' ')}</span>`)}</div>` : ''}
</article>`;
}
