/** The `github` connector kind as the registry lists it. */
import type { ConnectorModule } from '../port.js';
import { githubConfigSchema } from './config.js';
import { planNotes } from './project-fields.js';

export const githubModule: ConnectorModule<'github', typeof githubConfigSchema> = {
  kind: 'github',
  title: 'GitHub issues and pull requests (github.com or Enterprise Server)',
  configSchema: githubConfigSchema,
  describe: (c) =>
    `${[...c.repos, ...c.orgs.map((o) => `${o}/*`)].join(', ')} at ${c.baseUrl} (${c.app ? 'GitHub App' : 'token'}${c.webhook ? ', webhooks' : ''})`,
  load: async () => (await import('./connector.js')).createGithub,
  notes: { prefix: (key) => (key === undefined ? 'plan:' : `plan:${key}|`), read: planNotes },
};
