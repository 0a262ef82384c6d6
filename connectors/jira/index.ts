/** The `jira` connector kind as the registry lists it. */
import type { ConnectorModule } from '../port.js';
import { jiraConfigSchema } from './config.js';

export const jiraModule: ConnectorModule<'jira', typeof jiraConfigSchema> = {
  kind: 'jira',
  title: 'Jira Cloud or Data Center issues',
  configSchema: jiraConfigSchema,
  describe: (c) => `${c.jql} at ${c.host} (${c.deployment}${c.webhook ? ', webhooks' : ''})`,
  load: async () => (await import('./connector.js')).createJira,
};
