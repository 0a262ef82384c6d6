/**
 * Building and rendering the report over 100k tasks (goal < 2 s), as on a real day — a window of status
 * changes, yesterday's headline to compare with, the day's follow-ups —, next to a floor: serializing
 * the same tasks to JSON once.
 */
import { configSchema } from '../src/config/schema.js';
import { Engine } from '../src/core/engine.js';
import { buildIdentity } from '../src/core/identity.js';
import { buildReport, dailyTrend, HEADLINE_KEYS, type Headline, type ReportFollowup } from '../src/core/report/model.js';
import { renderJson } from '../src/core/report/render-json.js';
import { renderMarkdown } from '../src/core/report/render-markdown.js';
import { world } from './engine.js';
import { bestOf, report } from './harness.js';

const NOW = Date.parse('2026-11-25T08:00:00Z');

export async function benchReport(): Promise<void> {
  const { tasks, samples } = world();
  const people = Array.from({ length: 200 }, (_, p) => ({ id: `p${p}`, name: `Person ${p}`, accounts: { github: [`u${p}`] } }));
  const identity = buildIdentity({ people, teams: [] });
  const engine = new Engine({ settings: configSchema.parse({}).rules, calendar: { timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, holidays: [] }, identity });
  engine.load(tasks, samples);
  const evaluation = engine.evaluate(NOW);

  const floor = await bestOf(3, () => JSON.stringify(tasks).length);
  // As on a real day: the status changes of the window (5,000), yesterday's headline, and the
  // follow-ups of the last day (2,000 sent or planned).
  const open = tasks.filter((t) => !['done', 'verified', 'cancelled'].includes(t.status));
  const statusHistory = open.slice(0, 5_000).map((t, i) => ({ taskId: t.id, field: 'status', oldValue: JSON.stringify('todo'), newValue: JSON.stringify(t.status), at: new Date(NOW - 86_400_000 + i * 10_000).toISOString(), actor: 'human' as const, actorId: 'u1' }));
  const previous = Object.fromEntries(HEADLINE_KEYS.map((k, i) => [k, 1_000 + i * 37])) as Headline;
  const items: ReportFollowup[] = open.slice(0, 2_000).map((t, i) => ({ channel: i % 2 ? 'comment' : 'slack', to: i % 2 ? t.id : `p${i % 200}`, what: i % 2 ? 'status comment' : 'direct message', taskId: t.id, state: (i % 5 === 0 ? 'planned' : 'sent') }));
  const days = Array.from({ length: 14 }, (_, i) => {
    const date = new Date(NOW - (13 - i) * 86_400_000).toISOString().slice(0, 10);
    return { date, end: `${date}T23:00:00.000Z` };
  });
  const build = () =>
    buildReport({
      title: 'bench',
      now: NOW,
      timezone: 'Europe/Berlin',
      today: '2026-11-25',
      window: { from: '2026-11-24T00:00:00.000Z', to: new Date(NOW).toISOString() },
      tasks,
      flags: evaluation.flags,
      risk: engine.riskResults(),
      health: engine.health(),
      statusHistory,
      previous,
      people: people.map((p) => ({ id: p.id, name: p.name })),
      verifierOf: () => null,
      label: engine.label,
      nameOf: engine.nameOf,
      followups: { mode: 'send', items },
      trend: dailyTrend(tasks, evaluation.flags.map((f) => ({ taskId: f.taskId, from: '2026-11-10T00:00:00.000Z', to: null })), days),
      sync: { connectors: [], unmappedPeople: [], unresolvedReferences: 0 },
    });
  const built = await bestOf(3, build);
  const md = await bestOf(3, () => renderMarkdown(built.result).length);
  const json = await bestOf(3, () => renderJson(built.result).length);
  const total = built.ms + md.ms;
  report('report: build and render over 100k tasks', [
    { name: 'floor: JSON.stringify of the tasks', value: floor.ms, unit: 'ms' },
    { name: 'health roll-up + build the report model', value: built.ms, unit: 'ms' },
    { name: 'render Markdown', value: md.ms, unit: 'ms' },
    { name: 'render JSON', value: json.ms, unit: 'ms' },
    { name: 'build + Markdown', value: total, unit: 'ms', goal: '< 2,000 ms', met: total < 2000 },
    { name: 'Markdown size', value: md.result / 1024, unit: 'KiB' },
  ]);
}
