/**
 * `taskwire sync [--once] [--connector N]`: one whole cycle in the foreground — capture from the
 * tools, evaluate, and (with follow-ups) plan and, in send mode, dispatch. A line per connector as it
 * goes; a summary at the end. Exit 1 when a connector failed (the others' work is kept).
 */
import { MultiBar, Presets } from 'cli-progress';
import type { Connector } from '../../connectors/port.js';
import { UsageError } from '../errors.js';
import { connectorAvailable, connectorState, createConnector, engineFromConfig, foregroundTiming, loadIdentity, openStore } from '../main.js';
import { withoutName } from './check.js';
import { runCycle } from '../pipeline/cycle.js';
import { warnIfNothingConfigured, type CommandContext } from './context.js';

export interface SyncOptions {
  readonly once?: boolean;
  readonly connector?: string;
}

export async function syncCommand(ctx: CommandContext, opts: SyncOptions, clock: () => number): Promise<number> {
  warnIfNothingConfigured(ctx);
  const chosen = ctx.config.connectors.filter((c) => c.enabled && (opts.connector === undefined || c.name === opts.connector));
  if (opts.connector !== undefined && chosen.length === 0) throw new UsageError(`--connector: no enabled connector named "${opts.connector}" in ${ctx.file}`);
  const unavailable = chosen.filter((c) => !connectorAvailable(c));
  for (const c of unavailable) ctx.io.err(`taskwire: ${c.name}: the ${c.type} connector is not available in this build; skipped\n`);
  const store = await openStore(ctx.config, ctx.io.cwd, clock);
  const connectors: Connector[] = await Promise.all(chosen.filter(connectorAvailable).map((c) => createConnector(c, { log: ctx.log, timezone: ctx.config.timezone, timing: foregroundTiming(ctx.config), state: connectorState(store, c.name) })));
  try {
    const identity = await loadIdentity(ctx.config, store);
    const engine = engineFromConfig(ctx.config, identity);
    const last = new Map<string, number>();
    // On a terminal, a live line per connector; otherwise (logs, CI) a plain line every 1,000 items.
    const bars = ctx.io.isTTY ? new MultiBar({ format: '  {name} │ {items} items, {pages} pages', hideCursor: true, clearOnComplete: false, stream: process.stderr }, Presets.shades_classic) : null;
    const bar = new Map(connectors.map((c) => [c.name, bars?.create(0, 0, { name: c.name.padEnd(16), items: 0, pages: 0 })]));
    const result = await runCycle({
      store,
      connectors,
      identity,
      engine,
      config: ctx.config,
      log: ctx.log,
      now: clock,
      onProgress: (name, p) => {
        bar.get(name)?.update(0, { items: p.items, pages: p.pages });
        if (bars) return;
        // A line at most every 1,000 items: progress without a wall of text in logs.
        if (p.items - (last.get(name) ?? 0) >= 1000) {
          last.set(name, p.items);
          ctx.io.err(`  ${name}: ${count(p.items, 'item')}, ${count(p.pages, 'page')}…\n`);
        }
      },
    });
    bars?.stop();
    for (const c of result.capture) {
      if (c.ok && c.summary) {
        const s = c.summary;
        ctx.io.out(`${c.connector}: ${s.firstSync ? 'first sync (seeded silently), ' : ''}${count(s.items, 'item')} in ${count(s.pages, 'page')} — ${s.inserted} new, ${s.updated} updated, ${s.activity} activity, ${s.evidence} evidence${s.failed ? `, ${s.failed} item(s) could not be read (read again later; taskwire health)` : ''} (${(c.ms / 1000).toFixed(1)}s)\n`);
      } else {
        ctx.io.out(`${c.connector}: ${withoutName(c.connector, c.error ?? 'failed')}\n`);
      }
    }
    const d = result.diff;
    ctx.io.out(`flags: ${result.openFlags} open (${d.opened.length} new, ${d.resolved.length} resolved)${result.ownersChanged ? `; ${result.ownersChanged} owners recomputed` : ''}${result.verified ? `; ${result.verified} verified from evidence` : ''}\n`);
    if (result.dispatch === null) {
      ctx.io.out(`follow-ups: ${result.planned} planned (plan mode: nothing sent — see taskwire plan)\n`);
    } else {
      const x = result.dispatch;
      ctx.io.out(`follow-ups: ${result.planned} planned, ${x.sent} sent${x.retried ? `, ${x.retried} to retry` : ''}${x.dead ? `, ${x.dead} dead-lettered (taskwire outbox --dead)` : ''}\n`);
    }
    return result.capture.every((c) => c.ok) && unavailable.length === 0 ? 0 : 1;
  } finally {
    await store.close();
    for (const c of connectors) await c.close?.();
  }
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
