/**
 * The config schema: one YAML file, validated at start-up. Every object is strict (an unknown key is an
 * error, so a typo is never silently ignored). Durations are written `3d` and come out in milliseconds.
 */
import { z } from 'zod';
import { connectorConfigSchemas, connectorModules } from '../../connectors/index.js';
import { CONNECTOR_KINDS, SEVERITIES, TASK_TYPES, type FlagCode, type Severity } from '../core/model.js';
import { crossCheck } from './cross-check.js';
import { baseUrl, clockTime, duration, localDate, secret, slug, timezone } from './fields.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const calendar = z
  .strictObject({
    workdays: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    hours: z.strictObject({ start: clockTime().default('09:00'), end: clockTime().default('17:00') }).prefault({}),
    holidays: z.array(localDate()).default([]),
  })
  .prefault({})
  .refine((c) => c.hours.start < c.hours.end, { message: 'hours.start must be before hours.end', path: ['hours'] });

const sqliteStore = z.strictObject({
  driver: z.literal('sqlite'),
  path: z.string().min(1).default('data/taskwire.db').meta({ description: 'SQLite file; relative to the working directory' }),
});

const postgresStore = z.strictObject({
  driver: z.literal('postgres'),
  url: secret().meta({ description: 'secret: postgres://user:password@host:5432/db — write ${DATABASE_URL}, or urlFile' }),
  poolSize: z.number().int().min(1).max(200).default(10).meta({ description: 'connections per replica' }),
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/i, { message: 'letters, digits and _ (at most 63)' })
    .default('public')
    .meta({ description: "the schema taskwire's tables live in (created if missing)" }),
  leaseTtl: duration()
    .prefault('20s')
    .meta({ description: "how long a replica's poll and evaluator leases last unrenewed (renewed at half): when a replica dies, another takes over within this and a few seconds" }),
});

/** SQLite by default (one container); `driver: postgres` for several replicas on one database. */
const store = z.preprocess(
  (v) => (v === undefined ? { driver: 'sqlite' } : v !== null && typeof v === 'object' && !('driver' in v) ? { driver: 'sqlite', ...v } : v),
  z.discriminatedUnion('driver', [sqliteStore, postgresStore], { error: () => 'driver must be sqlite or postgres' }),
);

const server = z
  .strictObject({
    host: z.string().min(1).default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(8080),
    publicUrl: baseUrl().optional().meta({ description: 'how the tools reach this server, for webhook set-up hints' }),
    apiToken: z.string().min(16, { message: 'must be at least 16 characters' }).optional().meta({
      description: 'secret: bearer token for GET /api/*; without it the API is off',
    }),
    bodyLimit: z.number().int().positive().default(1_048_576).meta({ description: 'largest webhook body in bytes' }),
    ui: z
      .strictObject({
        enabled: z.boolean().default(false).meta({ description: 'serve the web UI at / (board, graph, task detail, people, reports); off unless set' }),
        basicAuth: z
          .strictObject({
            username: z.string().min(1),
            password: secret().refine((s) => s.length >= 12, { message: 'must be at least 12 characters' }),
          })
          .optional()
          .meta({ description: 'a user name and password the browser may sign in with (besides server.apiToken)' }),
        sessionTtl: duration().prefault('12h').meta({ description: 'how long a browser stays signed in' }),
      })
      .prefault({})
      .meta({ description: 'the web UI: a browser signs in with server.apiToken or basicAuth; scripts send the API token as Authorization: Bearer' }),
    inbox: z
      .strictObject({
        maxAttempts: z.number().int().min(1).default(8).meta({ description: 'a delivery that fails this many times is dead-lettered (taskwire inbox --dead)' }),
        retention: duration().prefault('7d').meta({ description: 'processed deliveries are kept this long (a retry within it is recognised as a duplicate), then pruned' }),
        deadRetention: duration().prefault('30d').meta({ description: 'dead-lettered deliveries are kept this long for taskwire inbox --replay' }),
      })
      .prefault({}),
  })
  .prefault({});

const http = z
  .strictObject({
    timeout: duration()
      .prefault('30s')
      .meta({ description: 'foreground commands (sync, check --online) give up on a tool that does not answer within this, and report a rate limit that resets later instead of waiting' }),
  })
  .prefault({});

const log = z
  .strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  })
  .prefault({});

const accountIds = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v));
const accounts = z
  .strictObject(Object.fromEntries(CONNECTOR_KINDS.map((k) => [k, accountIds.optional()])) as Record<
    (typeof CONNECTOR_KINDS)[number],
    z.ZodOptional<typeof accountIds>
  >)
  .prefault({});

const person = z.strictObject({
  id: slug(),
  name: z.string().min(1),
  email: z.email({ message: 'must be an email address' }).optional(),
  timezone: timezone().optional(),
  accounts,
});

const team = z.strictObject({
  id: slug(),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]).meta({ description: 'names a team goes by as an assignee, e.g. DevOps' }),
  accounts: accounts.meta({ description: 'group accounts in the tools that stand for the team, not a person' }),
  members: z.array(slug()).default([]),
  lead: slug().optional(),
  channel: z.strictObject({ connector: slug(), channel: z.string().min(1) }).optional(),
});

const exempt = z
  .strictObject({
    labels: z.array(z.string().min(1)).default([]),
    types: z.array(z.enum(TASK_TYPES)).default([]),
    projects: z.array(z.string().min(1)).default([]),
  })
  .prefault({});

function rule<T extends z.ZodRawShape>(severity: Severity, extra: T) {
  return z
    .strictObject({ enabled: z.boolean().default(true), severity: z.enum(SEVERITIES).default(severity), exempt, ...extra })
    .prefault({} as never);
}

const ruleShapes = {
  no_owner: rule('warning', {}),
  shared_owner: rule('warning', {}),
  team_owner: rule('warning', {}),
  unmapped_owner: rule('info', {}),
  no_due_date: rule('warning', {}),
  no_priority: rule('info', {}),
  missing_context: rule('info', {
    require: z.array(z.enum(['acceptance_criteria', 'description'])).default(['acceptance_criteria', 'description']),
  }),
  overdue: rule('critical', {}),
  due_soon: rule('info', { within: duration().prefault('2d') }),
  stale: rule('warning', { after: duration().prefault('3d') }),
  blocked: rule('warning', {}),
  dependency_at_risk: rule('warning', {}),
  dependency_cycle: rule('critical', {}),
  deadline_at_risk: rule('warning', {
    minLevel: z.enum(['medium', 'high']).optional().meta({ description: 'flag from this forecast level instead of minProbability: high (≥ 50% chance of missing) or medium (≥ 20%)' }),
    minProbability: z.number().gt(0).lte(1).default(0.35).meta({ description: 'flag from this chance of missing (0–1); the backtest shows the trade-off' }),
    horizon: duration().prefault('14d').meta({ description: 'flag only work due within this time: further out, a forecast is a guess (taskwire explain still shows it)' }),
    earlySeverity: z.enum(SEVERITIES).default('info').meta({ description: 'severity of an early warning — under a 50% chance of missing, or due more than 7 days out: shown on the ticket, the board and the report; at info, not sent as a DM' }),
  }),
  done_unverified: rule('warning', {
    after: duration().prefault('1d'),
    within: duration().prefault('30d').meta({ description: 'work done longer ago than this is history: no longer flagged' }),
  }),
} satisfies Record<FlagCode, z.ZodType>;

const rules = z.strictObject({ exempt, ...ruleShapes }).prefault({});

const channelRef = z.strictObject({ connector: slug(), channel: z.string().min(1) });

const followups = z
  .strictObject({
    mode: z.enum(['plan', 'send']).default('plan').meta({ description: 'plan: record and list, send nothing; send: send' }),
    cooldown: duration().prefault('1d'),
    maxPerPersonPerDay: z.number().int().min(0).default(5),
    escalateAfter: z.number().int().min(1).default(3),
    statusCommentsPerCycle: z.number().int().min(0).default(25),
    snoozeLabel: z.string().min(1).default('taskwire:snooze'),
    respectWorkingHours: z.boolean().default(true),
    directMessages: z.strictObject({ connector: slug() }).optional(),
    dispatchEvery: duration().prefault('10s').meta({ description: 'how often the daemon sends what is due in the outbox (send mode)' }),
  })
  .prefault({});

const report = z
  .strictObject({
    schedule: z
      .string()
      .regex(/^(\S+\s+){4,5}\S+$/, { message: 'must be a cron expression of 5 fields (or 6, with seconds first), e.g. "0 8 * * 1-5"' })
      .default('0 8 * * 1-5'),
    outputDir: z.string().min(1).default('reports'),
    formats: z.array(z.enum(['markdown', 'html', 'json', 'slack'])).default(['markdown', 'html', 'json']),
    post: z.array(channelRef).default([]),
    htmlUrl: baseUrl().optional().meta({ description: 'where people can open the HTML report (e.g. a file share serving outputDir); linked from Slack' }),
    personalDigests: z.boolean().default(false),
  })
  .prefault({});

const connector = z.discriminatedUnion('type', connectorConfigSchemas, {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown connector type; known types: ${connectorModules.map((m) => m.kind).join(', ')}`
      : undefined,
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'path or URL of the JSON Schema, for editors' }),
    timezone: timezone().default('UTC').meta({ description: 'the team timezone: due dates, working hours, report' }),
    calendar,
    store,
    server,
    http,
    log,
    people: z.array(person).default([]),
    teams: z.array(team).default([]),
    rules,
    followups,
    report,
    connectors: z.array(connector).default([]),
  })
  // Cross-section checks run even when a section is invalid, so every problem is reported at once.
  .superRefine((c, ctx) => crossCheck(c, ctx), { when: () => true });

export type Config = z.output<typeof configSchema>;
export type ConnectorConfig = Config['connectors'][number];
export type RulesConfig = Config['rules'];
export type PersonConfig = Config['people'][number];
export type TeamConfig = Config['teams'][number];
export type CalendarConfig = Config['calendar'];

/** The JSON Schema of the config file as written (input side), for editors and `taskwire config schema`. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, title: 'taskwire configuration', $id: 'https://taskwire.dev/schema/taskwire.schema.json' };
}
