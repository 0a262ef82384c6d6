/** The `github` connector's config entry. Keys are documented in config/taskwire.example.yaml. */
import { z } from 'zod';
import { PRIORITIES, TASK_STATUSES } from '../../src/core/model.js';
import { baseUrl, connectorBaseShape, duration, localDate, secret } from '../../src/config/fields.js';

const repoName = z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: 'must be owner/repo' });

/**
 * A GitHub project (the new Projects, "v2") whose fields plan the connector's issues: which fields mean
 * what, and how single-select options read. The defaults match GitHub's project templates.
 */
export const githubProjectSchema = z.strictObject({
  project: z.string().regex(/^[\w.-]+\/\d+$/, { message: 'must be owner/number, e.g. acme/3 (an organization or a user and the project number)' }),
  fields: z
    .strictObject({
      due: z.string().min(1).default('Target date').meta({ description: 'a date field: the due date' }),
      status: z.string().min(1).default('Status').meta({ description: 'a single-select field: the status' }),
      priority: z.string().min(1).default('Priority').meta({ description: 'a single-select field: the priority' }),
      iteration: z.string().min(1).default('Iteration').meta({ description: "an iteration field: the milestone, and its last day the due date when the due field is empty" }),
      estimate: z.string().min(1).default('Estimate').meta({ description: 'a number field: the estimate, in estimateUnit' }),
    })
    .prefault({}),
  status: z.record(z.string(), z.enum(TASK_STATUSES)).optional().meta({ description: 'option name → status; added to the defaults (Todo, In Progress, In Review, Blocked, Done …)' }),
  priority: z.record(z.string(), z.enum(PRIORITIES)).optional().meta({ description: 'option name → priority; added to the defaults (P0 … P3, Urgent, High, Medium, Low)' }),
  estimateUnit: z.enum(['hours', 'days', 'points']).default('hours').meta({ description: 'what the estimate field counts (a day is 8 hours; points are not a duration and are not read as one)' }),
});

export const githubConfigSchema = z
  .strictObject({
    ...connectorBaseShape,
    type: z.literal('github'),
    baseUrl: baseUrl().default('https://api.github.com').meta({
      description: 'REST API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server',
    }),
    token: secret().optional(),
    app: z
      .strictObject({
        appId: z.union([z.string().min(1), z.number().int().positive()]).transform(String),
        privateKey: secret(),
        installationId: z.union([z.string().min(1), z.number().int().positive()]).transform(String),
      })
      .optional(),
    repos: z.array(repoName).default([]),
    orgs: z.array(z.string().min(1)).default([]),
    backfillSince: localDate().optional(),
    pullRequests: z.enum(['evidence', 'tasks']).default('evidence'),
    labels: z
      .strictObject({
        priority: z.record(z.string(), z.enum(PRIORITIES)).optional(),
        status: z.record(z.string(), z.enum(TASK_STATUSES)).optional(),
      })
      .prefault({}),
    acceptanceCriteriaHeading: z.string().min(1).default('Acceptance criteria'),
    dueDateField: z.string().min(1).optional(),
    historyPages: z.number().int().min(0).max(10_000).default(100).meta({
      description:
        "pages (100 events each) of a repository's issue event stream read per sync, newest first, for task history with GitHub's own times; the first sync stops at backfillSince; 0 reads none",
    }),
    pacing: z
      .strictObject({
        writes: duration().prefault('1s').meta({ description: 'at least this long between writes (GitHub asks for 1s)' }),
        notifications: duration().prefault('3s').meta({ description: 'at least this long between writes that notify people, such as comments (GitHub asks for 3s)' }),
      })
      .prefault({})
      .meta({ description: "spacing of writes, after GitHub's secondary rate-limit guidance; lower it only for a server without those limits" }),
    webhook: z.strictObject({ secrets: z.array(secret()).min(1, { message: 'needs at least one secret' }) }).optional(),
    projects: z.array(githubProjectSchema).default([]).meta({ description: 'GitHub projects whose fields (due date, status, priority, iteration, estimate) plan these issues' }),
    writes: z
      .strictObject({
        statusComment: z.boolean().default(true),
        labels: z.boolean().default(false),
        closeReopen: z.boolean().default(false),
        projectStatus: z.boolean().default(false).meta({ description: "when taskwire moves a task (blocked, done on merge), set the project's Status field too" }),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.token === undefined && c.app === undefined) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'give either token (or tokenFile) or app' });
    }
    if (c.token !== undefined && c.app !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['app'], message: 'give either token or app, not both' });
    }
    const seen = new Set<string>();
    c.projects.forEach((p, i) => {
      if (seen.has(p.project.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['projects', i, 'project'], message: `${p.project} is listed twice` });
      seen.add(p.project.toLowerCase());
    });
    if (c.writes.projectStatus && c.projects.length === 0) ctx.addIssue({ code: 'custom', path: ['writes', 'projectStatus'], message: 'needs a project under projects' });
    if (c.repos.length === 0 && c.orgs.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['repos'], message: 'list at least one repo (owner/repo) or org' });
    }
  });

export type GithubConfig = z.output<typeof githubConfigSchema>;
export type GithubProjectConfig = z.output<typeof githubProjectSchema>;
