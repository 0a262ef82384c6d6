/**
 * The one registry of connector kinds. Adding a tool means adding its folder and one line here; the
 * config schema, `taskwire check` and the daemon pick it up from this list.
 */
import { emailModule } from './email/index.js';
import { githubModule } from './github/index.js';
import { jiraModule } from './jira/index.js';
import { notionModule } from './notion/index.js';
import { slackModule } from './slack/index.js';

export const connectorModules = [githubModule, jiraModule, slackModule, notionModule, emailModule] as const;

export type AnyConnectorModule = (typeof connectorModules)[number];

export function findConnectorModule(kind: string): AnyConnectorModule | undefined {
  return connectorModules.find((m) => m.kind === kind);
}

/** Each kind's config entry schema, as a tuple so the config can discriminate on `type`. */
export const connectorConfigSchemas = [
  githubModule.configSchema,
  jiraModule.configSchema,
  slackModule.configSchema,
  notionModule.configSchema,
  emailModule.configSchema,
] as const;
