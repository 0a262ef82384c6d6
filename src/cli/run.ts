/**
 * `taskwire run`: the daemon in the foreground until SIGTERM or SIGINT. The first signal stops it
 * gracefully (within a bound); a second one exits at once.
 */
import { Daemon } from '../daemon.js';
import { warnIfNothingConfigured, type CommandContext } from './context.js';

export async function runCommand(ctx: CommandContext, opts: { port?: string }): Promise<number> {
  warnIfNothingConfigured(ctx);
  const port = opts.port === undefined ? undefined : Number(opts.port);
  const daemon = new Daemon({ config: ctx.config, log: ctx.log, cwd: ctx.io.cwd, ...(port !== undefined && Number.isInteger(port) ? { port } : {}) });
  let signals = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        ctx.log.warn({ signal: sig }, 'second signal: exiting now');
        process.exit(1);
      }
      void daemon.stop(sig).then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  try {
    await daemon.start();
  } catch (err) {
    await daemon.stop('failed to start').catch(() => undefined);
    throw err;
  }
  await stopped;
  // Everything is closed; should anything still hold the process open (an SDK's socket, a timer), it
  // does not get to delay the exit past the shutdown bound.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
  return 0;
}
