/** `npm run bench`: every benchmark, each printing its figures next to a floor measured in the same run. */
import { benchDemo } from './demo.js';
import { benchEmailBackfill } from './email-backfill.js';
import { benchEngine } from './engine.js';
import { benchGithubBackfill } from './github-backfill.js';
import { benchGithubProjects } from './github-projects.js';
import { benchJiraBackfill } from './jira-backfill.js';
import { benchMemory } from './memory.js';
import { benchWebhookIntake } from './webhook-intake.js';
import { benchPostgres } from './postgres.js';
import { benchReport } from './report.js';
import { collected, summarize } from './harness.js';
import { benchStoreApply } from './store-apply.js';
import { benchUi } from './ui.js';
import { benchSyncCli } from './sync-cli.js';

const suites: Record<string, () => Promise<void>> = {
  store: benchStoreApply,
  engine: benchEngine,
  report: benchReport,
  github: benchGithubBackfill,
  projects: benchGithubProjects,
  jira: benchJiraBackfill,
  email: benchEmailBackfill,
  webhooks: benchWebhookIntake,
  postgres: benchPostgres,
  ui: benchUi,
  sync: benchSyncCli,
  memory: benchMemory,
  demo: benchDemo,
};

const only = process.argv.slice(2);
const unknown = only.filter((n) => !(n in suites));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
for (const [name, run] of Object.entries(suites)) {
  if (only.length === 0 || only.includes(name)) await run();
}
process.stdout.write(`\n── all figures (also in bench/results/latest.json and latest.md) ──\n\n${summarize()}`);
const missed = collected.flatMap((c) => c.figures.filter((f) => f.goal !== undefined && f.met === false).map((f) => `${c.suite}: ${f.name}`));
if (missed.length > 0) process.stdout.write(`\ngoals not met:\n${missed.map((m) => `  - ${m}`).join('\n')}\n`);
