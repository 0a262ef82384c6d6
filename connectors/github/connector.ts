/**
 * A GitHub connector instance: the client, normalization settings, poll, webhooks and writes put
 * together from one config entry.
 */
import { createHash } from 'node:crypto';
import { withSignal } from '../kit/http-policy.js';
import type { Connector, ConnectorContext, ConnectorState, OnlineCheck } from '../port.js';
import { GithubClient } from './client.js';
import type { GithubConfig } from './config.js';
import { labelMaps, type NormalizeContext } from './normalize.js';
import { listRepos, pollGithub, refreshGithub } from './poll.js';
import { Projects } from './projects.js';
import { githubWebhook } from './webhook.js';
import { writeGithub } from './write.js';

/** A failed look-up of our own login is tried again after this. */
const SELF_RETRY_MS = 60_000;

/** Org repositories are listed again at most this often (a new repo shows up within the hour). */
const ORG_REFRESH_MS = 60 * 60 * 1000;

export interface GithubConnector extends Connector {
  readonly client: GithubClient;
  readonly projects: Projects | null;
}

export function createGithub(config: GithubConfig, context: ConnectorContext): GithubConnector {
  const client = new GithubClient(config, context.log, context.timing, { timezone: context.timezone, ...(context.signal ? { signal: context.signal } : {}) });
  const ctx: NormalizeContext = {
    timezone: context.timezone,
    labels: labelMaps(config.labels),
    acceptanceCriteriaHeading: config.acceptanceCriteriaHeading,
    dueDateField: config.dueDateField,
  };

  let repoCache: { at: number; repos: string[] } | null = null;
  const repos = async () => {
    if (config.orgs.length === 0) return [...config.repos];
    if (repoCache === null || Date.now() - repoCache.at > ORG_REFRESH_MS) repoCache = { at: Date.now(), repos: await listRepos(client, config) };
    return repoCache.repos;
  };

  // The login our writes appear under: a token's user (an App's writes come from a Bot account anyway),
  // read once. Polls carry on without it; writes need it (to tell our comments from people's). A
  // failed look-up is not repeated for a minute (not once per delivery while GitHub is down).
  let self: { login: Promise<string> } | null = null;
  const whoAmI = () => {
    if (self === null) {
      const login = client.get<{ login: string }>('GET /user').then((r) => r.data.login);
      const entry = { login };
      self = entry;
      login.catch(() => setTimeout(() => self === entry && (self = null), SELF_RETRY_MS).unref());
    }
    return self.login;
  };
  const selfLogin = () => (config.app ? Promise.resolve(null) : whoAmI().catch(() => null));
  const writerLogin = () => (config.app ? Promise.resolve(null) : whoAmI());

  const projects = config.projects.length > 0 ? new Projects(client, config, context.state ?? memoryState()) : null;
  // Outside a poll (webhooks, refreshes, milestone events), an issue's plans are read from the store.
  const planned = projects ? { projects, plans: (key: string) => projects.plansFor(key) } : {};

  return {
    name: config.name,
    kind: 'github',
    client,
    projects,
    poll: (cursor, signal) => pollGithub({ client, config, ctx, repos, selfLogin, ...planned, ...(config.token ? { tokenFingerprint: fingerprintOf(config.token) } : {}) }, cursor, signal),
    refresh: (keys, signal) => refreshGithub({ client, config, ctx, repos, selfLogin, ...planned }, keys, signal),
    ...(config.webhook ? { webhook: githubWebhook({ client, config, ctx, selfLogin, ...planned }) } : {}),
    write: (action, opts) => withSignal(opts?.signal, () => writeGithub({ client, config, selfLogin: writerLogin, ...planned }, action, opts)),
    checkOnline: () => checkGithub(client, config, projects),
    stats: () => ({
      requests: client.requests,
      notModified: client.notModified,
      rateRemaining: client.rate.remaining,
      rateLimit: client.rate.limit,
      ...(projects ? { points: { used: client.points.used, remaining: client.points.remaining, limit: client.points.limit } } : {}),
    }),
  };
}

async function checkGithub(client: GithubClient, config: GithubConfig, projects: Projects | null): Promise<OnlineCheck> {
  const ok: string[] = [];
  const problems: string[] = [];
  if (!config.app) {
    try {
      ok.push(`authenticated as ${(await client.get<{ login: string }>('GET /user')).data.login}`);
    } catch (err) {
      problems.push((err as Error).message);
      return { ok, problems };
    }
  }
  let repos: string[] = [];
  try {
    repos = await listRepos(client, config);
  } catch (err) {
    problems.push(`orgs: ${(err as Error).message}`);
    repos = [...config.repos];
  }
  for (const repo of repos) {
    const [owner, name] = repo.split('/');
    try {
      await client.get('GET /repos/{owner}/{repo}/issues', { owner, repo: name, per_page: 1, state: 'all' });
      ok.push(`${repo}: issues readable`);
    } catch (err) {
      problems.push(`repos: ${repo}: ${(err as Error).message}`);
    }
  }
  for (const p of config.projects) {
    try {
      const info = await projects!.info(p.project, true);
      const names = new Set(info.fields.map((f) => f.name.toLowerCase()));
      const missing = Object.entries(p.fields).filter(([, name]) => !names.has(name.toLowerCase()));
      ok.push(`project ${p.project} ("${info.title}"): readable`);
      // A template without a field (no Iteration, no Estimate) is normal: said, not a problem.
      if (missing.length > 0) ok.push(`project ${p.project}: no field ${missing.map(([k, n]) => `"${n}" (${k})`).join(', ')}`);
    } catch (err) {
      const msg = (err as Error).message;
      problems.push(msg.includes(p.project) ? msg : `projects: ${p.project}: ${msg}`);
    }
  }
  if (client.points.remaining !== null) ok.push(`GraphQL budget: ${client.points.remaining} of ${client.points.limit ?? '?'} points left`);
  if (client.rate.remaining !== null) ok.push(`rate budget: ${client.rate.remaining} of ${client.rate.limit ?? '?'} requests left`);
  return { ok, problems };
}

/** State kept in memory, for a connector created without a store (a test, a benchmark). */
function memoryState(): ConnectorState {
  const m = new Map<string, string>();
  return {
    get: async (k) => m.get(k) ?? null,
    set: async (k, v) => void m.set(k, v),
    list: async (prefix) => [...m].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

/** A short one-way fingerprint of a token: enough to tell that the token changed, useless to anyone else. */
const fingerprintOf = (token: string) => createHash('sha256').update(token).digest('base64url').slice(0, 12);
