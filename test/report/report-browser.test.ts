import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { runCli } from '../../src/cli.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { captureIo } from '../support/io.js';
import { SCENARIO_CONFIG, SCENARIO_ENV, SCENARIO_NOW, seedScenario } from '../support/scenario.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Never a downloaded browser. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

/** Runs where Chromium is installed, and always in CI (.ci/run installs it and sets CI_REQUIRE_BROWSER). */
const RUN = existsSync(CHROMIUM) || !!process.env['CI_REQUIRE_BROWSER'];

let browser: Browser;
let server: Server;
let url = '';

describe.runIf(RUN)('the HTML report in headless Chromium', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-html-'));
    writeFileSync(join(dir, 'taskwire.yaml'), SCENARIO_CONFIG);
    const store = SqliteStore.open(join(dir, 'data/tw.db'), { clock: () => new Date(SCENARIO_NOW) });
    await seedScenario(store);
    await store.close();
    const { io, stdout } = captureIo({ env: SCENARIO_ENV, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'report', '--format', 'html'], io, () => SCENARIO_NOW)).toBe(0);
    const html = stdout();
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report.html`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('opens without console errors; every chart is an SVG with marks; readable on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    expect(problems).toEqual([]);
    // Runs in the page (the test's TypeScript has no DOM types: the shape is spelled out).
    type El = { querySelectorAll(s: string): { length: number }; querySelector(s: string): { textContent: string | null } | null };
    const charts = await page.$$eval('figure', (figs) => (figs as unknown as El[]).map((f) => ({ svg: f.querySelectorAll('svg').length, marks: f.querySelectorAll('svg path, svg rect, svg line, svg circle, svg symbol').length, caption: f.querySelector('figcaption')?.textContent ?? '' })));
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const c of charts) {
      expect(c.svg, c.caption).toBe(1);
      expect(c.marks, c.caption).toBeGreaterThan(2);
    }
    // Nothing wider than the phone's screen, and every chart label at least 11 px as drawn (an SVG
    // scaled down to fit shrinks its text with it).
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    const smallest = await page.evaluate<number>(`Math.min(...[...document.querySelectorAll('figure svg')].flatMap((svg) => {
      const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
      return [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    }))`);
    expect(smallest).toBeGreaterThanOrEqual(11);
    // Each kind of flag its own colour.
    const flagColours = await page.evaluate<string[]>(`[...document.querySelectorAll('figure')].filter((f) => f.textContent.includes('Open flags by kind')).flatMap((f) => [...f.querySelectorAll('path[aria-roledescription="bar"]')].map((p) => p.getAttribute('fill')))`);
    expect(new Set(flagColours).size).toBe(flagColours.length);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'report-desktop.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'report-phone.png'))).toBe(true);
  });
});
