/** The `slack` connector's config entry. Keys are documented in config/taskwire.example.yaml. */
import { z } from 'zod';
import { PRIORITIES } from '../../src/core/model.js';
import { baseUrl, connectorBaseShape, duration, secret } from '../../src/config/fields.js';

const emojiName = z.string().regex(/^[a-z0-9_+-]+$/, { message: 'must be an emoji name without colons, e.g. ticket' });

export const slackConfigSchema = z
  .strictObject({
    ...connectorBaseShape,
    type: z.literal('slack'),
    slackApiUrl: baseUrl().default('https://slack.com/api'),
    botToken: secret(),
    signingSecret: secret().optional().meta({ description: 'needed for Events API over HTTP' }),
    socketMode: z.boolean().default(false),
    appToken: secret().optional().meta({ description: 'xapp- token, needed for Socket Mode' }),
    channels: z.array(z.string().min(1)).default([]),
    captureReaction: emojiName.default('ticket'),
    doneReaction: emojiName.default('white_check_mark'),
    ownerFrom: z.enum(['mention', 'reactor']).default('mention'),
    priorityWords: z.partialRecord(z.enum(PRIORITIES), z.array(z.string().min(1))).optional(),
    shortcutCallbackId: z.string().min(1).default('track_as_task').meta({ description: 'callback id of the "Track as task" message shortcut' }),
    lookback: duration().prefault('14d').meta({ description: 'how long captured messages are re-read for reactions and replies the events missed' }),
    acceptanceCriteriaHeading: z.string().min(1).default('Acceptance criteria'),
  })
  .superRefine((c, ctx) => {
    if (c.socketMode && c.appToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['appToken'], message: 'Socket Mode needs appToken (or appTokenFile)' });
    }
    if (!c.socketMode && c.signingSecret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signingSecret'],
        message: 'the Events API over HTTP needs signingSecret (or set socketMode: true with appToken)',
      });
    }
  });

export type SlackConfig = z.output<typeof slackConfigSchema>;
