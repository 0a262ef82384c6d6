/** The `jira` connector's config entry. Keys are documented in config/taskwire.example.yaml. */
import { z } from 'zod';
import { PRIORITIES, TASK_STATUSES } from '../../src/core/model.js';
import { baseUrl, connectorBaseShape, duration, localDate, secret } from '../../src/config/fields.js';

export const jiraConfigSchema = z
  .strictObject({
    ...connectorBaseShape,
    type: z.literal('jira'),
    host: baseUrl().meta({ description: 'https://your-site.atlassian.net, or your Data Center base URL' }),
    deployment: z.enum(['cloud', 'datacenter']).default('cloud'),
    email: z.string().min(1).optional().meta({ description: 'Cloud: the API user email' }),
    apiToken: secret().optional().meta({ description: 'Cloud: API token of that user' }),
    token: secret().optional().meta({ description: 'Data Center: personal access token (bearer)' }),
    jql: z.string().min(1).meta({ description: 'the scope, e.g. project in (OPS, NET)' }),
    overlap: duration().prefault('2m'),
    backfillSince: localDate().optional(),
    fields: z
      .strictObject({
        acceptanceCriteria: z.string().min(1).optional(),
        sprint: z.string().min(1).optional(),
      })
      .prefault({}),
    acceptanceCriteriaHeading: z.string().min(1).default('Acceptance criteria'),
    statusMap: z.record(z.string(), z.enum(TASK_STATUSES)).optional(),
    priorityMap: z.record(z.string(), z.enum(PRIORITIES)).optional(),
    webhook: z.strictObject({ secret: secret() }).optional(),
    writes: z
      .strictObject({
        statusComment: z.boolean().default(true),
        transitions: z.partialRecord(z.enum(TASK_STATUSES), z.string().min(1)).optional(),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.deployment === 'cloud') {
      if (c.email === undefined) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Jira Cloud needs email' });
      if (c.apiToken === undefined) {
        ctx.addIssue({ code: 'custom', path: ['apiToken'], message: 'Jira Cloud needs apiToken (or apiTokenFile)' });
      }
    } else if (c.token === undefined) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'Jira Data Center needs token (a personal access token)' });
    }
  });

export type JiraConfig = z.output<typeof jiraConfigSchema>;
