/** The other pages: sign-in, graph, task detail, people, reports and the backtest. Rendered on the server. */
import { humanDate, humanDateTime } from '../../core/calendar.js';
import type { Explanation } from '../../core/engine.js';
import { riskInputs } from '../../core/explain-text.js';
import { isAccountOwner } from '../../core/identity.js';
import type { HistoryEntry } from '../../core/model.js';
import type { OutboxRow, StatusCommentRecord } from '../../store/outbox.js';
import { html, query, safeUrl, type Safe } from './html.js';
import { page } from './layout.js';
import type { Card } from './snapshot.js';

export function signInPage(o: { error?: string | undefined; next: string; basic: boolean; token: boolean }): Safe {
  return page(
    { title: 'Sign in', section: null, user: null },
    html`<form class="signin" method="post" action="/signin"><h1>Sign in to taskwire</h1>
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
<input type="hidden" name="next" value="${o.next}">
${o.basic ? html`<label for="username">User name</label><input id="username" name="username" autocomplete="username"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">` : ''}
${o.basic && o.token ? html`<p class="count">or</p>` : ''}
${o.token ? html`<label for="token">API token (server.apiToken)</label><input id="token" name="token" type="password" autocomplete="off">` : ''}
<p><button class="btn" type="submit">Sign in</button></p></form>`,
  );
}

export interface GraphPageInput {
  readonly user: string;
  readonly svg: Safe;
  readonly title: string;
  readonly scope: { task?: string | undefined; milestone?: string | undefined };
  readonly milestones: readonly string[];
  readonly counts: { nodes: number; edges: number; omitted: number };
}

export function graphPage(g: GraphPageInput): Safe {
  const self = `/graph${query({ task: g.scope.task, milestone: g.scope.milestone })}`;
  return page(
    { title: 'Graph', section: 'graph', user: g.user, live: self },
    html`<h1>${g.title} <span class="count">${g.counts.nodes} tasks, ${g.counts.edges} links</span></h1>
<form class="filters" method="get" action="/graph" aria-label="Choose a graph"><label>Milestone<select name="milestone"><option value="">everything at risk</option>${g.milestones.map((m) => html`<option value="${m}"${m === g.scope.milestone ? html` selected` : ''}>${m}</option>`)}</select></label><button type="submit">Show</button></form>
<div class="legend"><span class="l-overdue">overdue</span><span class="l-risk">at risk</span><span class="l-chain">chain from the root cause to what it delays</span><span class="l-cycle">in a dependency cycle</span><span>fill: status (grey to do, blue in progress, violet in review, orange blocked, green done)</span></div>
${g.counts.omitted > 0 ? html`<p class="more">${g.counts.omitted} more tasks not drawn (at most 600): choose a milestone or a task.</p>` : ''}
<div class="graphbox">${g.svg}</div><p class="count">Drag to pan, scroll or use the buttons to zoom; a node opens its task.</p>`,
  );
}

export interface TaskPageInput {
  readonly user: string;
  readonly ex: Explanation;
  readonly card: Card | undefined;
  readonly label: (id: string) => string;
  readonly nameOf: (id: string) => string;
  readonly timezone: string;
  readonly history: readonly HistoryEntry[];
  readonly followups: readonly OutboxRow[];
  readonly comment: StatusCommentRecord | null;
  readonly verifier: string | null;
  readonly message?: string | undefined;
  /** Each assignee and what the registry made of it ("Sam Rivera, by the registry"). */
  readonly assignees: readonly { readonly account: string; readonly resolved: string }[];
  /** How far ahead and how sure the deadline forecast is, in words (empty when there is none). */
  readonly lead: string;
  /** A tool account's display name, for the history. */
  readonly actorName: (kind: string, id: string) => string;
  /** Where the task's plan came from (GitHub projects) and where its sources disagree. */
  readonly notes?: { readonly sources: readonly string[]; readonly conflicts: readonly string[] } | null;
}

export function taskPage(p: TaskPageInput): Safe {
  const { ex, label } = p;
  const t = ex.task;
  const self = `/tasks/${encodeURIComponent(t.id)}`;
  const body = html`<h1>${t.title}</h1>
${p.message ? html`<p class="ok" role="status">${p.message}</p>` : ''}
<section class="panel" aria-label="Summary"><ul class="plain">
<li>${label(t.id)}${safeUrl(t.url) ? html` — <a href="${safeUrl(t.url)}" rel="noopener noreferrer" target="_blank">open in the tool</a>` : ''}</li>
<li>Status <strong>${t.status.replace('_', ' ')}</strong>${t.rawStatus ? ` (${t.rawStatus})` : ''} · due ${t.due ? html`<span class="${p.card?.overdue ? 'overdue' : ''}">${humanDate(t.due)}</span>` : '—'} · priority ${t.priority ?? '—'}${t.milestone ? ` · milestone ${t.milestone}` : ''}</li>
<li>Owner: ${ownerText(p)}</li>
${p.assignees.length ? html`<li>Assigned in the tool: ${p.assignees.map((a, i) => html`${i ? '; ' : ''}${a.account} → ${a.resolved}`)}</li>` : ''}
<li><a href="/graph${query({ task: t.id })}">Dependency graph of this task</a></li></ul></section>
<section class="panel" aria-labelledby="flags-h"><h2 id="flags-h">Flags</h2>${ex.flags.length === 0 ? html`<p>No flags: nothing stands in the way of this task.</p>` : html`<div class="tablewrap" tabindex="0"><table><thead><tr><th>Severity</th><th>Flag</th><th>Why</th></tr></thead><tbody>${ex.flags.map((f) => html`<tr data-flag="${f.code}"><td><span class="badge sev-${f.severity}">${f.severity}</span></td><td>${f.code}</td><td class="reason">${f.reason}</td></tr>`)}</tbody></table></div>`}</section>
${notesSection(p)}
${riskSection(p)}
${graphSection(p)}
${verifySection(p, self)}
${followupSection(p)}
${historySection(p)}`;
  return page({ title: t.title, section: 'task', user: p.user, live: self }, body);
}

function ownerText(p: TaskPageInput): Safe {
  const o = p.ex.ownership;
  const accounts = p.ex.task.assignees.map((a) => `${a.kind}:${a.name ?? a.id}`).join(', ');
  if (o.owner) return isAccountOwner(o.owner) ? html`<span class="owner-account">${o.owner}</span> — an account not in the registry yet (add it under people: to give it a name)` : html`<strong>${p.nameOf(o.owner)}</strong> (from ${accounts})`;
  if (o.teams.length) return html`<span class="owner-team">team ${o.teams.map(p.nameOf).join(', ')}</span> — a team is assigned, not one person`;
  if (o.people.length + o.unmapped.length > 1) return html`<span class="owner-shared">shared by ${[...o.people.map(p.nameOf), ...o.unmapped.map((a) => `${a.kind}:${a.id}`)].join(', ')}</span> — one person should own it`;
  return html`<span class="owner-none">nobody</span>${accounts ? ` (assigned to ${accounts})` : ''}`;
}

function notesSection(p: TaskPageInput): Safe {
  const n = p.notes;
  if (!n || (n.sources.length === 0 && n.conflicts.length === 0)) return html``;
  return html`<section class="panel" aria-labelledby="planned-h"><h2 id="planned-h">Planned in</h2><ul>${n.sources.map((x) => html`<li>${x}</li>`)}${n.conflicts.map((x) => html`<li class="error">Conflict — ${x}</li>`)}</ul></section>`;
}

function riskSection(p: TaskPageInput): Safe {
  const r = p.ex.risk;
  const t = p.ex.task;
  if (!r) return html``;
  const finish = r.expectedFinish ? `, forecast to finish ${humanDate(r.expectedFinish.slice(0, 10))}` : '';
  return html`<section class="panel" aria-labelledby="risk-h"><h2 id="risk-h">Deadline risk: ${r.level}</h2>
${r.level !== 'unknown' && t.due ? html`<p>${Math.round(r.pMiss * 100)}% chance of missing ${humanDate(t.due)}${finish}.</p>` : ''}
<ul>${r.reasons.map((x) => html`<li>${x}</li>`)}</ul><p>${riskInputs(r.inputs, t.due, p.label, p.timezone)}</p>${p.lead ? html`<p class="lead">${p.lead}</p>` : ''}</section>`;
}

function graphSection(p: TaskPageInput): Safe {
  const ex = p.ex;
  const link = (id: string) => html`<a href="/tasks/${encodeURIComponent(id)}">${p.label(id)}</a>`;
  const rows: Safe[] = [
    ...ex.dependencies.map((d) => html`<li>depends on ${link(d.id)} (${d.status.replace('_', ' ')})</li>`),
    ...ex.unresolved.map((u) => html`<li>depends on ${u} (not tracked by taskwire)</li>`),
    ...(ex.parent ? [html`<li>subtask of ${link(ex.parent)}</li>`] : []),
    ...ex.children.map((c) => html`<li>has subtask ${link(c)}</li>`),
    ...ex.dependents.map((d) => html`<li>blocks ${link(d)}</li>`),
    ...(ex.cycle ? [html`<li class="error">in a cycle: ${ex.cycle.map((c, i) => html`${i ? ' → ' : ''}${link(c)}`)}</li>`] : []),
  ];
  return html`<section class="panel" aria-labelledby="deps-h"><h2 id="deps-h">Dependencies</h2>${rows.length ? html`<ul class="plain">${rows}</ul>` : html`<p>No dependencies either way.</p>`}</section>`;
}

function verifySection(p: TaskPageInput, self: string): Safe {
  const t = p.ex.task;
  const state = t.verifiedAt
    ? html`<p>Verified ${humanDateTime(t.verifiedAt, p.timezone)}${t.verifiedBy ? ` by ${p.nameOf(t.verifiedBy)}` : ''}.</p>`
    : t.status === 'done'
      ? html`<p>Done${t.doneAt ? ` ${humanDateTime(t.doneAt, p.timezone)}` : ''}, not verified yet${p.verifier ? ` — ${p.nameOf(p.verifier)} is asked to verify it` : ''}.${t.acceptanceCriteria ? html` Acceptance criteria: <q>${t.acceptanceCriteria}</q>` : ''}</p>`
      : html`<p>Not done yet: verification comes after.</p>`;
  const form = t.status === 'done' && !t.verifiedAt ? html`<form method="post" action="${self}/verify"><button class="btn" type="submit">Verify: it works as asked</button></form>` : '';
  return html`<section class="panel" aria-labelledby="verify-h"><h2 id="verify-h">Verification</h2>${state}${form}</section>`;
}

function followupSection(p: TaskPageInput): Safe {
  const c = p.comment;
  const comment = c === null ? '' : c.leftAloneAt !== null ? html`<p>Status comment: left alone since ${humanDateTime(c.leftAloneAt, p.timezone)} — ${c.leftAloneWhy ?? 'a person changed it'}; a person's edit wins.</p>` : c.writtenAt ? html`<p>Status comment: taskwire's, last written ${humanDateTime(c.writtenAt, p.timezone)}${safeUrl(c.url) ? html` — <a href="${safeUrl(c.url)}" rel="noopener noreferrer" target="_blank">see it</a>` : ''}.</p>` : '';
  const rows = p.followups.map((r) => html`<tr data-status="${r.status}"><td>${r.sentAt ? humanDateTime(r.sentAt, p.timezone) : humanDateTime(r.createdAt, p.timezone)}</td><td>${r.status}</td><td>${r.kind.replaceAll('_', ' ')}${r.recipient ? ` to ${p.nameOf(r.recipient)}` : ''} via ${r.connector}</td><td>${r.reason ?? ''}${r.lastError ? html` <span class="error">${r.lastError}</span>` : ''}</td></tr>`);
  return html`<section class="panel" aria-labelledby="fu-h"><h2 id="fu-h">Follow-ups</h2>${comment}${rows.length ? html`<div class="tablewrap" tabindex="0"><table><thead><tr><th>When</th><th>State</th><th>What</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p>None sent or planned.</p>`}</section>`;
}

const ACTOR_LABEL: Record<string, string> = { human: 'person', bot: 'bot', taskwire: 'taskwire', unknown: 'unknown' };

function historySection(p: TaskPageInput): Safe {
  const value = (v: string | null) => {
    if (v === null) return '—';
    try {
      const x = JSON.parse(v) as unknown;
      return typeof x === 'string' ? x : Array.isArray(x) ? x.map((e) => (typeof e === 'object' && e !== null ? String((e as { name?: string; id?: string }).name ?? (e as { id?: string }).id) : String(e))).join(', ') || '—' : JSON.stringify(x);
    } catch {
      return v;
    }
  };
  const rows = [...p.history].reverse().slice(0, 200).map((h) => html`<li><time datetime="${h.at}">${humanDateTime(h.at, p.timezone)}</time> <span class="actor actor-${h.actor}">${ACTOR_LABEL[h.actor] ?? h.actor}</span>${h.actorId ? ` ${p.actorName(p.ex.task.kind, h.actorId)}` : ''}: ${h.field === 'activity' ? 'activity' : html`${h.field} ${value(h.oldValue)} → ${value(h.newValue)}`}</li>`);
  return html`<section class="panel" aria-labelledby="hist-h"><h2 id="hist-h">History</h2>${rows.length ? html`<ul class="plain">${rows}</ul>` : html`<p>No changes recorded yet.</p>`}</section>`;
}

export interface PersonRow {
  readonly id: string;
  readonly name: string;
  readonly inRegistry: boolean;
  readonly open: number;
  readonly overdue: number;
  readonly atRisk: number;
  readonly toVerify: readonly Card[];
  readonly dueThisWeek: number;
  readonly dueNextWeek: number;
  readonly hoursNextTwoWeeks: number;
  readonly unestimated: number;
}

export function peoplePage(o: { user: string; people: readonly PersonRow[]; unmapped: readonly { kind: string; id: string; name: string | null; connector: string; lastSeenAt: string }[]; yaml: string }): Safe {
  const who = (p: PersonRow) => html`<a href="/${query({ owner: p.id })}">${p.name}</a>${p.inRegistry ? '' : html` <span class="owner-account">(not in the registry)</span>`}`;
  const body = html`<h1>People</h1>
<section class="panel" aria-labelledby="ppl-h"><h2 id="ppl-h">Open work</h2><div class="tablewrap" tabindex="0"><table><thead><tr><th>Person</th><th>Open</th><th>Overdue</th><th>At risk</th><th>To verify</th><th>Load, next two weeks</th></tr></thead><tbody>
${o.people.map((p) => html`<tr data-person="${p.id}"><td>${who(p)}</td><td>${p.open}</td><td${p.overdue ? html` class="overdue"` : ''}>${p.overdue}</td><td>${p.atRisk}</td><td>${p.toVerify.length ? p.toVerify.map((c, i) => html`${i ? ', ' : ''}<a href="/tasks/${encodeURIComponent(c.id)}">${c.key ?? c.title}</a>`) : '—'}</td><td>${p.dueThisWeek} due this week, ${p.dueNextWeek} next${p.hoursNextTwoWeeks ? ` · ${Math.round(p.hoursNextTwoWeeks)} h estimated` : ''}${p.unestimated ? ` · ${p.unestimated} without an estimate` : ''}</td></tr>`)}
</tbody></table></div></section>
<section class="panel" aria-labelledby="un-h"><h2 id="un-h">Accounts not in the registry</h2>${o.unmapped.length === 0 ? html`<p>Every account seen resolves to a person, a team or a bot.</p>` : html`<div class="tablewrap" tabindex="0"><table><thead><tr><th>Tool</th><th>Account</th><th>Name</th><th>Connector</th><th>Last seen</th></tr></thead><tbody>${o.unmapped.map((a) => html`<tr><td>${a.kind}</td><td>${a.id}</td><td>${a.name ?? ''}</td><td>${a.connector}</td><td>${a.lastSeenAt.slice(0, 10)}</td></tr>`)}</tbody></table></div><p>Add them to the config under <code>people:</code> (check the names first):</p><pre class="yaml">${o.yaml}</pre>`}</section>`;
  return page({ title: 'People', section: 'people', user: o.user, live: '/people' }, body);
}

export function reportsPage(o: { user: string; dates: readonly string[]; dir: string }): Safe {
  return page(
    { title: 'Reports', section: 'reports', user: o.user },
    html`<h1>Daily reports</h1><section class="panel"><ul class="plain"><li><a href="/reports/today">Today, as it stands now</a></li>
${o.dates.map((d) => html`<li><a href="/reports/${d}">${humanDate(d)} (${d})</a></li>`)}</ul>
${o.dates.length === 0 ? html`<p>No report delivered yet: the daily report is written to ${o.dir} on its schedule (report.schedule) in the HTML format (report.formats).</p>` : ''}</section>`,
  );
}

export function notFoundPage(user: string, what: string): Safe {
  return page({ title: 'Not found', section: null, user }, html`<h1>Not found</h1><p>${what}</p><p><a href="/">Back to the board</a></p>`);
}

