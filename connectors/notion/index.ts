/** The `notion` connector kind as the registry lists it. */
import type { ConnectorModule } from '../port.js';
import { notionConfigSchema } from './config.js';

export const notionModule: ConnectorModule<'notion', typeof notionConfigSchema> = {
  kind: 'notion',
  title: 'Notion data sources (databases) as task lists',
  configSchema: notionConfigSchema,
  describe: (c) => `${c.dataSources.length} data source(s) at ${c.baseUrl}${c.webhook ? ' (webhooks)' : ''}`,
  load: async () => (await import('./connector.js')).createNotion,
};
