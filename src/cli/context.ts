/** Shared start-up for commands: load the config (with the CLI's --config) and make a logger. */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../log.js';
import type { Io } from './io.js';

export interface CommandContext extends LoadedConfig {
  readonly log: Logger;
  readonly io: Io;
}

export function loadContext(io: Io, configFlag: string | undefined): CommandContext {
  const loaded = loadConfig({ path: configFlag, env: io.env, cwd: io.cwd });
  const log = createLogger({ level: loaded.config.log.level, format: loaded.config.log.format, secrets: loaded.secrets });
  return { ...loaded, log, io };
}

/** A config with no enabled connector captures nothing: say so instead of running quietly. */
export function warnIfNothingConfigured(ctx: CommandContext): void {
  if (ctx.config.connectors.some((c) => c.enabled)) return;
  ctx.io.err(`taskwire: warning: ${ctx.file} configures no enabled connector — nothing will be captured; add one under connectors: (see config/taskwire.example.yaml)\n`);
}
