/** A GitHub connector against the GitHub fake on 127.0.0.1, as tests and benchmarks use it. */
import pino from 'pino';
import { githubConfigSchema, type GithubConfig } from '../../connectors/github/config.js';
import { createGithub, type GithubConnector } from '../../connectors/github/connector.js';
import { GithubFake, type GithubFakeOptions, type GithubScenario } from '../../connectors/github/fake.js';

export const silentLog = pino({ level: 'silent' });

export interface GithubRig {
  readonly fake: GithubFake;
  readonly config: GithubConfig;
  readonly connector: GithubConnector;
  connect(over?: Record<string, unknown>, timing?: { retryBaseMs?: number; retries?: number }): GithubConnector;
}

export async function githubRig(scenario: GithubScenario, over: Record<string, unknown> = {}, fakeOpts: GithubFakeOptions = {}): Promise<GithubRig> {
  const fake = new GithubFake(scenario, { self: 'taskwire-bot', ...fakeOpts });
  await fake.start();
  const connect = (more: Record<string, unknown> = {}, timing = { retryBaseMs: 5, retries: 3 }) => {
    const config = githubConfig(fake.url, { ...over, ...more });
    return createGithub(config, { log: silentLog, timezone: 'Europe/Berlin', timing });
  };
  const config = githubConfig(fake.url, over);
  return { fake, config, connector: connect(), connect };
}

export function githubConfig(baseUrl: string, over: Record<string, unknown> = {}): GithubConfig {
  return githubConfigSchema.parse({ name: 'github-acme', type: 'github', baseUrl, token: 'ghp_faketoken', repos: ['acme/infra'], ...over });
}
