/** The `slack` connector kind as the registry lists it. */
import type { ConnectorModule } from '../port.js';
import { slackConfigSchema } from './config.js';

export const slackModule: ConnectorModule<'slack', typeof slackConfigSchema> = {
  kind: 'slack',
  title: 'Slack messages captured as tasks; DMs and channel posts',
  configSchema: slackConfigSchema,
  describe: (c) => `${c.channels.length} channel(s), capture with :${c.captureReaction}: (${c.socketMode ? 'Socket Mode' : 'Events API'})`,
  load: async () => (await import('./connector.js')).createSlack,
};
