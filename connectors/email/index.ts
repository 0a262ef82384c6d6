/** The `email` connector kind as the registry lists it. */
import type { ConnectorModule } from '../port.js';
import { emailConfigSchema } from './config.js';

export const emailModule: ConnectorModule<'email', typeof emailConfigSchema> = {
  kind: 'email',
  title: 'A shared mailbox over IMAP: one task per thread; replies to requesters over SMTP',
  configSchema: emailConfigSchema,
  describe: (c) =>
    `${c.user} at ${c.host}:${c.port}, ${c.folders.join(', ')}, capture ${c.capture.mode === 'every' ? 'every new thread' : 'matching threads'}${c.idle ? ', IDLE' : ''}${c.writes.acknowledge || c.writes.statusReply ? `, replies via ${c.smtp?.host ?? '?'}` : ''}`,
  load: async () => (await import('./connector.js')).createEmail,
};
