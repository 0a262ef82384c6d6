/** `npm run bench`: every benchmark, each printing its figures next to a floor measured in the same run. */
import { benchEngine } from './engine.js';
import { benchGithubBackfill } from './github-backfill.js';
import { benchJiraBackfill } from './jira-backfill.js';
import { benchWebhookIntake } from './webhook-intake.js';
import { benchReport } from './report.js';
import { benchStoreApply } from './store-apply.js';

const suites: Record<string, () => Promise<void>> = {
  store: benchStoreApply,
  engine: benchEngine,
  report: benchReport,
  github: benchGithubBackfill,
  jira: benchJiraBackfill,
  webhooks: benchWebhookIntake,
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(suites)) {
  if (only.length === 0 || only.includes(name)) await run();
}
