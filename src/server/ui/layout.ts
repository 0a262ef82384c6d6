/** The frame every page shares: navigation, the assets, and (on live pages) the server-sent events link. */
import { assets } from './assets.js';
import { html, type Html, type Safe } from './html.js';

export type Section = 'board' | 'graph' | 'people' | 'reports' | 'backtest' | 'task';

const NAV: readonly [Section, string, string][] = [
  ['board', '/', 'Board'],
  ['graph', '/graph', 'Graph'],
  ['people', '/people', 'People'],
  ['reports', '/reports', 'Reports'],
  ['backtest', '/backtest', 'Backtest'],
];

export interface PageOptions {
  readonly title: string;
  readonly section: Section | null;
  /** Signed in as (null on the sign-in page: no navigation). */
  readonly user: string | null;
  /** The page's own URL: on a change, htmx fetches it again and swaps #live in place. */
  readonly live?: string | undefined;
}

export function page(o: PageOptions, body: Html): Safe {
  const a = assets();
  const nav = o.user === null
    ? ''
    : html`<header class="top"><span class="brand">taskwire</span><nav aria-label="Sections">${NAV.map(([id, href, label]) => html`<a href="${href}"${o.section === id ? html` aria-current="page"` : ''}>${label}</a>`)}</nav><form method="post" action="/signout"><button type="submit">Sign out (${o.user})</button></form></header>`;
  const live = o.live === undefined ? '' : html` hx-get="${o.live}" hx-trigger="sse:changed" hx-select="#live" hx-target="this" hx-swap="outerHTML"`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"historyCacheSize":0}'>
<title>${o.title} — taskwire</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${a.css.path}">
<script src="${a.htmx.path}" defer></script><script src="${a.sse.path}" defer></script><script src="${a.panzoom.path}" defer></script><script src="${a.glue.path}" defer></script>
</head><body${o.live === undefined ? '' : html` hx-ext="sse" sse-connect="/ui/events"`}>${nav}<main id="live"${live}>${body}</main></body></html>`;
}
