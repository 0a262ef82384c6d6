/**
 * The web UI in Debian's Chromium, on the sandbox scenario with the daemon running: the board, its
 * filters (in the URL, surviving a reload), the graph of "Deploy client environment", the task page
 * against `taskwire explain`, a signed webhook changing a card without a reload, the verify action,
 * screenshots at desktop and phone width (test/artifacts), an accessibility check (axe-core) and no
 * console errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { PEOPLE } from '../../src/sandbox/scenario.js';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { sandboxEnv, type SandboxEnv } from '../support/sandbox.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
const RUN = existsSync(CHROMIUM) || !!process.env['CI_REQUIRE_BROWSER'];
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TOKEN = SANDBOX_ENV.TASKWIRE_API_TOKEN;
const who = (id: string) => PEOPLE.find((p) => p.id === id)!;

let env: SandboxEnv;
let daemon: Daemon;
let browser: Browser;
let context: BrowserContext;
let base = '';
const problems: string[] = [];

async function signedInPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return page;
}

/** Column of a card on the board, by the task id. */
const columnOf = (page: Page, id: string) => page.locator(`article.card[data-id="${id}"]`).first().evaluate((el) => (el as unknown as { closest(s: string): { getAttribute(n: string): string | null } | null }).closest('section.column')?.getAttribute('data-column') ?? null);

describe.runIf(RUN)('the web UI in headless Chromium', () => {
  beforeAll(async () => {
    env = await sandboxEnv();
    const { config } = loadConfig({ path: 'taskwire.yaml', env: { ...SANDBOX_ENV }, cwd: env.dir });
    daemon = new Daemon({ config, log: pino({ level: 'silent' }), cwd: env.dir, now: env.now, port: 0 });
    await daemon.start();
    env.sb.sendWebhooksTo(daemon.url);
    base = daemon.url;
    // The first poll of all four tools has landed when the board shows the Notion row and the Slack capture.
    const end = Date.now() + 30_000;
    for (;;) {
      const text = await (await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      if (text.includes('Deploy client environment') && text.includes('Client approval on scope')) break;
      if (Date.now() > end) throw new Error('the sandbox was not captured in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    // bypassCSP only so the test can inject axe-core; the pages themselves load scripts from the daemon only.
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    // Signed out, the board answers 401 with the sign-in form (Chromium logs the 401: not counted).
    const page = await context.newPage();
    expect((await page.goto(`${base}/`))?.status()).toBe(401);
    expect(page.url()).toBe(`${base}/`);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('article.card');
    await page.close();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await env?.stop();
  });

  it('shows the flagged tasks in their status columns, with owner, due date and flag badges', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/`);
    expect(await columnOf(page, 'jira-acme:OPS-12')).toBe('blocked');
    expect(await columnOf(page, 'jira-acme:OPS-20')).toBe('blocked');
    expect(await columnOf(page, 'github-acme:acme/infra#12')).toBe('todo');
    const firewall = page.locator('article.card[data-id="github-acme:acme/infra#12"]');
    await expect.poll(() => firewall.locator('.owner').textContent()).toBe('no owner');
    expect(await firewall.locator('.owner').getAttribute('class')).toContain('owner-none');
    expect(await firewall.locator('[data-flag="no_owner"]').count()).toBe(1);
    expect(await page.locator('article.card[data-id="jira-acme:OPS-12"] [data-flag="blocked"]').count()).toBe(1);
    // Done, not verified: in the last column with its flag.
    expect(await columnOf(page, 'jira-acme:OPS-14')).toBe('done');
    expect(await page.locator('article.card[data-id="jira-acme:OPS-14"] [data-flag="done_unverified"]').count()).toBe(1);
    // The overdue Notion row: due date in red.
    const notion = page.locator('article.card', { hasText: 'Client approval on scope' });
    expect(await notion.locator('.due.overdue').count()).toBe(1);
    // The card links to the ticket in its tool.
    expect(await page.locator('article.card[data-id="jira-acme:OPS-12"] .meta a').first().getAttribute('href')).toMatch(/\/browse\/OPS-12$/);
    await page.close();
  });

  it('filters by owner and by flag, in the URL, and the filter survives a reload', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Owner', { exact: true }).selectOption('alex');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/owner=alex/);
    const owners = async () => page.locator('article.card .owner').allTextContents();
    expect((await owners()).length).toBeGreaterThan(0);
    // Alex's own work, and work Alex shares with others (shown red as shared, naming them).
    expect((await owners()).every((o) => o === 'Alex Kim' || (o.startsWith('shared: ') && o.includes('Alex Kim')))).toBe(true);
    expect(await owners()).toContain('Alex Kim');
    await page.getByLabel('Owner', { exact: true }).selectOption('');
    await page.getByLabel('Flag', { exact: true }).selectOption('no_owner');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/flag=no_owner/);
    const flagged = async () => page.locator('article.card').evaluateAll((cards) => cards.map((c) => (c as unknown as { querySelectorAll(s: string): unknown[] }).querySelectorAll('[data-flag="no_owner"]').length));
    expect((await flagged()).length).toBeGreaterThan(0);
    expect((await flagged()).every((n) => n === 1)).toBe(true);
    await page.reload();
    expect(page.url()).toMatch(/flag=no_owner/);
    expect(await page.getByLabel('Flag', { exact: true }).inputValue()).toBe('no_owner');
    expect((await flagged()).every((n) => n === 1)).toBe(true);
    // Swimlanes by owner.
    await page.goto(`${base}/?group=owner`);
    expect(await page.locator('section.lane h2', { hasText: 'Alex Kim' }).count()).toBe(1);
    expect(await page.locator('section.lane h2', { hasText: 'No owner' }).count()).toBe(1);
    await page.close();
  });

  it('draws the graph of "Deploy client environment" with the chain to the overdue Notion row', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/tasks/${encodeURIComponent('jira-acme:OPS-20')}`);
    await page.getByRole('link', { name: 'Dependency graph of this task' }).click();
    await page.waitForSelector('svg.graph');
    const node = (id: string) => page.locator(`svg.graph a.node[data-id="${id}"]`);
    expect(await node('jira-acme:OPS-20').getAttribute('class')).toContain('focus');
    const notion = page.locator('svg.graph a.node[data-risk="overdue"]', { hasText: 'Client approval' });
    expect(await notion.count()).toBe(1);
    expect(await notion.getAttribute('class')).toContain('on-chain');
    // The chain: the Notion row → OPS-19 → OPS-20, drawn bold.
    const chain = await page.locator('svg.graph path.edge.chain').evaluateAll((ps) => ps.map((p) => `${(p as unknown as { getAttribute(n: string): string }).getAttribute('data-from')}→${(p as unknown as { getAttribute(n: string): string }).getAttribute('data-to')}`));
    const notionId = await notion.getAttribute('data-id');
    expect(chain).toEqual(expect.arrayContaining([`${notionId}→jira-acme:OPS-19`, 'jira-acme:OPS-19→jira-acme:OPS-20']));
    // Pan and zoom are attached (svg-pan-zoom's controls).
    await page.waitForSelector('svg.graph #svg-pan-zoom-controls');
    // Everything at risk.
    await page.goto(`${base}/graph`);
    expect(await page.locator('svg.graph a.node').count()).toBeGreaterThan(3);
    await page.close();
  });

  it("shows on the task page the reasons taskwire explain gives", async () => {
    const explained = await env.cli('explain', 'OPS-20', '--json');
    const ex = JSON.parse(explained.out) as { flags: { code: string; reason: string }[]; risk: { reasons: string[] } | null };
    expect(ex.flags.length).toBeGreaterThan(0);
    const page = await signedInPage();
    await page.goto(`${base}/tasks/${encodeURIComponent('jira-acme:OPS-20')}`);
    for (const f of ex.flags) expect(await page.locator(`tr[data-flag="${f.code}"] td.reason`).textContent()).toBe(f.reason);
    const text = await page.locator('main').innerText();
    for (const r of ex.risk?.reasons ?? []) expect(text).toContain(r);
    // How far ahead and how sure, as explain says it.
    const lead = /How far ahead and how sure: [^\n]*likely to miss[^\n]*\./.exec((await env.cli('explain', 'OPS-20')).out)?.[0];
    expect(lead).toBeDefined();
    expect(text).toContain(lead);
    expect(text).toMatch(/Owner: Sam/);
    expect(text).toMatch(/Assigned in the tool: jira:Sam Rivera → Sam Rivera, by the registry/);
    expect(text).toMatch(/depends on OPS-19 \(Jira\)/);
    expect(text).toMatch(/History/);
    await page.close();
  });

  it('changes a card without a reload when a signed webhook arrives', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/`);
    await page.evaluate('window.__sameDocument = true');
    const owner = page.locator('article.card[data-id="github-acme:acme/infra#12"] .owner');
    expect(await owner.textContent()).toBe('no owner');
    env.sb.github.updateIssue('acme/infra', 12, { assignees: [who('alex').github] }, who('priya').github);
    await expect.poll(() => owner.textContent(), { timeout: 15_000 }).toBe('Alex Kim');
    expect(await page.evaluate('window.__sameDocument')).toBe(true); // no reload happened
    await page.close();
  });

  it('verifies done work from the task page', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/tasks/${encodeURIComponent('jira-acme:OPS-14')}`);
    await page.getByRole('button', { name: /Verify/ }).click();
    await page.waitForURL(/verified/);
    await expect.poll(() => page.locator('main').innerText()).toMatch(/Verified (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w+ \d\d:\d\d/);
    expect(await page.getByRole('button', { name: /Verify/ }).count()).toBe(0);
    const store = env.store();
    try {
      expect((await store.getTask('jira-acme:OPS-14'))?.verifiedAt).not.toBeNull();
    } finally {
      await store.close();
    }
    await page.close();
  });

  it('passes an accessibility check on every page, at desktop and phone width, with screenshots and no console errors', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const pages: [string, string][] = [
      ['board', '/'],
      ['board-by-owner', '/?group=owner'],
      ['graph', `/graph?task=${encodeURIComponent('jira-acme:OPS-20')}`],
      ['task', `/tasks/${encodeURIComponent('jira-acme:OPS-12')}`],
      ['people', '/people'],
      ['reports', '/reports'],
    ];
    const page = await signedInPage();
    for (const [name, path] of pages) {
      for (const [device, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
        await page.setViewportSize(viewport);
        await page.goto(`${base}${path}`);
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.screenshot({ path: join(ARTIFACTS, `ui-${name}-${device}.png`), fullPage: true });
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate<{ id: string; impact: string; nodes: number; help: string }[]>(
          `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help })))`,
        );
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(serious, `${name} at ${device} width`).toEqual([]);
      }
    }
    // The sign-in page too (a fresh context: signed out).
    const out = await browser.newContext({ bypassCSP: true });
    const signIn = await out.newPage();
    await signIn.goto(`${base}/`);
    await signIn.addScriptTag({ path: AXE });
    const v = await signIn.evaluate<{ impact: string }[]>(`axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))`);
    expect(v.filter((x) => x.impact === 'serious' || x.impact === 'critical')).toEqual([]);
    await out.close();
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
