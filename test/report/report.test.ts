import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { captureIo } from '../support/io.js';
import { golden } from '../support/golden.js';
import { SCENARIO_CONFIG, SCENARIO_ENV, SCENARIO_NOW, seedScenario } from '../support/scenario.js';
import type { Report } from '../../src/core/report/model.js';


async function scenarioDir() {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-report-'));
  writeFileSync(join(dir, 'taskwire.yaml'), SCENARIO_CONFIG);
  const store = SqliteStore.open(join(dir, 'data/tw.db'), { clock: () => new Date(SCENARIO_NOW) });
  await seedScenario(store);
  await store.close();
  return dir;
}

async function report(dir: string, format: string, extra: string[] = []) {
  const { io, stdout, stderr } = captureIo({ env: SCENARIO_ENV, cwd: dir });
  const code = await runCli(['-c', 'taskwire.yaml', 'report', '--format', format, ...extra], io, () => SCENARIO_NOW);
  expect(stderr()).toBe('');
  expect(code).toBe(0);
  return stdout();
}

describe('the daily report on a fixed scenario', () => {
  it('renders Markdown (golden), every line under 120 columns', async () => {
    const text = await report(await scenarioDir(), 'markdown');
    golden('report.md', text);
    expect(text.split('\n').filter((l) => l.length > 120 && l.trim().includes(' '))).toEqual([]);
  });

  it('renders JSON (golden), a stable documented shape', async () => {
    const text = await report(await scenarioDir(), 'json');
    golden('report.json', text);
    const r = JSON.parse(text) as Report;
    expect(r.version).toBe(1);
    expect(r.window).toEqual({ from: '2026-11-23T23:00:00.000Z', to: '2026-11-25T07:00:00.000Z' });
    expect(r.headline).toMatchObject({ open: 4, overdue: 1, ownerless: 3, blocked: 1 });
    // Each tile counts what its lists show.
    expect(r.needsDecision.ownerless.length + r.needsDecision.teamOwned.length + r.needsDecision.sharedOwner.length).toBe(r.headline.ownerless);
    expect(r.atRisk.overdue.length).toBe(r.headline.overdue);
    expect(r.needsDecision.ownerless.map((i) => i.label)).toEqual(['acme/infra#7 (GitHub)']);
    expect(r.needsDecision.teamOwned.map((i) => i.label)).toEqual(['OPS-15 (Jira)']);
    expect(r.awaitingVerification).toEqual([expect.objectContaining({ label: 'OPS-14 (Jira)', verifier: 'Priya Nair', acceptanceCriteria: 'all services report healthy' })]);
    expect(r.changes.statusMoves).toEqual([expect.objectContaining({ from: 'todo', to: 'in_progress', at: '2026-11-24T11:00:00.000Z' })]);
    expect(r.changes.created.map((i) => i.label)).toEqual(['OPS-15 (Jira)']);
    // Every item links to its source ticket.
    const items = [...r.needsDecision.ownerless, ...r.atRisk.dependency, ...r.awaitingVerification, ...r.changes.created];
    for (const i of items) expect(i.url).toMatch(/^https:\/\//);
  });

  it('takes --since, and writes --out to a file', async () => {
    const dir = await scenarioDir();
    const text = await report(dir, 'json', ['--since', '2026-11-25']);
    expect((JSON.parse(text) as Report).window.from).toBe('2026-11-24T23:00:00.000Z');
    const { io, stderr } = captureIo({ env: SCENARIO_ENV, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'report', '--out', 'r.md'], io, () => SCENARIO_NOW)).toBe(0);
    expect(stderr()).toMatch(/report written to .*r\.md/);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toMatch(/^# taskwire daily report — Wed 25 Nov/);
  });

  it('refuses a format it does not have', async () => {
    const dir = await scenarioDir();
    const { io, stderr } = captureIo({ env: SCENARIO_ENV, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'report', '--format', 'pdf'], io, () => SCENARIO_NOW)).toBe(2);
    expect(stderr()).toMatch(/--format: "pdf" is not one of markdown, html, slack, json/);
  });
});

describe('the report as HTML and as Slack blocks', () => {
  it('renders HTML (golden): self-contained, every chart an inline SVG', async () => {
    const html = await report(await scenarioDir(), 'html');
    golden('report.html', html);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link |src="http/);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('renders Slack Block Kit (golden), within Slack\'s limits', async () => {
    const text = await report(await scenarioDir(), 'slack');
    golden('report.slack.json', text);
    const { blocks } = JSON.parse(text) as { blocks: { text?: { text: string } }[] };
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) expect((b.text?.text ?? '').length).toBeLessThanOrEqual(3000);
  });
});
