/** The `notion` connector's config entry. Keys are documented in config/taskwire.example.yaml. */
import { z } from 'zod';
import { PRIORITIES, TASK_STATUSES } from '../../src/core/model.js';
import { baseUrl, connectorBaseShape, duration, secret } from '../../src/config/fields.js';

const propertyMap = z
  .strictObject({
    title: z.string().min(1).optional(),
    owner: z.string().min(1).default('Assignee'),
    due: z.string().min(1).default('Due'),
    status: z.string().min(1).default('Status'),
    priority: z.string().min(1).default('Priority'),
    blockedBy: z.string().min(1).default('Blocked by'),
    parent: z.string().min(1).optional(),
    acceptanceCriteria: z.string().min(1).optional(),
    estimate: z.string().min(1).optional(),
    spent: z.string().min(1).optional(),
    verified: z.string().min(1).optional(),
    milestone: z.string().min(1).optional(),
  })
  .prefault({});

const dataSource = z
  .strictObject({
    id: z.string().min(1).optional().meta({ description: 'data source id' }),
    database: z.string().min(1).optional().meta({ description: 'or a database id, resolved to its data source' }),
    project: z.string().min(1).optional(),
    properties: propertyMap,
    statusMap: z.record(z.string(), z.enum(TASK_STATUSES)).optional(),
    priorityMap: z.record(z.string(), z.enum(PRIORITIES)).optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.id === undefined) === (d.database === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'give exactly one of id (data source) or database' });
    }
  });

export const notionConfigSchema = z.strictObject({
  ...connectorBaseShape,
  type: z.literal('notion'),
  baseUrl: baseUrl().default('https://api.notion.com'),
  token: secret(),
  dataSources: z.array(dataSource).min(1, { message: 'list at least one data source or database' }),
  overlap: duration().prefault('2m'),
  webhook: z
    .strictObject({
      verificationToken: secret().optional().meta({ description: 'the token Notion sends once when the subscription is created (taskwire check --online shows it); the only token trusted; until set, events are refused' }),
    })
    .optional(),
  writes: z
    .strictObject({
      statusComment: z.boolean().default(true),
      properties: z.boolean().default(false),
    })
    .prefault({}),
});

export type NotionConfig = z.output<typeof notionConfigSchema>;
