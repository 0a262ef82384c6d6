/**
 * `npm run experiment:misses [-- --rules JSON] [--seed N] [--cases]`: where the deadline forecast's
 * task-day recall and precision are lost. Runs the same backtest as experiments/backtest-worlds.ts
 * (every third working day, registry filled) and splits every morning of every judged case by how
 * many working days were left before the due date, printing per bucket: mornings of dates that were
 * then missed, the share flagged (recall), the mornings flagged on dates that were kept (false alarms),
 * and the median probability the model gave the missed mornings it did not flag. A diagnosis, not a
 * tuning run: it prints figures and chooses nothing. `--seed` runs it on another draw of the held-out
 * generator (the tuning draws of experiments/tune-on-draws.ts), to look for causes without looking at the
 * held-out draw.
 */
import { heldOutForecasts } from './backtest-worlds.js';

const BUCKETS: readonly [string, number, number][] = [
  ['0–2 wd', 0, 2],
  ['2–5 wd', 2, 5],
  ['5–10 wd', 5, 10],
  ['10+ wd', 10, Infinity],
];

export interface BucketRow {
  readonly bucket: string;
  readonly missedMornings: number;
  readonly recall: number | null;
  readonly falseAlarms: number;
  readonly keptMornings: number;
  readonly medianUnflaggedP: number | null;
}

/** With `--cases`: each missed date's unflagged mornings (task, owner, days left, probability, blockers). */
export const unflaggedMissed: Case[] = [];
/** With `--cases`: the mornings flagged on dates that were kept. */
export const falseAlarms: Case[] = [];

interface Case {
  readonly taskId: string;
  readonly owner: string | null;
  readonly due: string;
  readonly left: number;
  readonly p: number | null;
  readonly blocked: boolean;
}

export async function heldOutMisses(rules: Record<string, unknown> | null, seed?: number): Promise<BucketRow[]> {
  const { predictions, missed, cal, world } = await heldOutForecasts(seed, rules ? `rules: ${JSON.stringify(rules)}\n` : '');
  const byKey = new Map(world.tasks.map((t) => [`github-platform:${t.task.key}`, t.task]));
  for (const p of predictions) {
    const m = missed.get(`${p.taskId}\u0000${p.due}`);
    if (m === undefined || m === p.flags.has('deadline_at_risk')) continue;
    const t = byKey.get(p.taskId);
    (m ? unflaggedMissed : falseAlarms).push({ taskId: p.taskId, owner: t?.assignees[0]?.id ?? null, due: p.due, left: Math.round((cal.workdayMsBetween(p.day, cal.endOf(p.due)) / 86_400_000) * 10) / 10, p: p.pMiss, blocked: (t?.dependsOn.length ?? 0) > 0 });
  }
  return BUCKETS.map(([bucket, lo, hi]) => {
    const inBucket = predictions.filter((p) => {
      const left = cal.workdayMsBetween(p.day, cal.endOf(p.due)) / 86_400_000;
      return left >= lo && left < hi && missed.has(`${p.taskId}\u0000${p.due}`);
    });
    const miss = inBucket.filter((p) => missed.get(`${p.taskId}\u0000${p.due}`));
    const kept = inBucket.filter((p) => !missed.get(`${p.taskId}\u0000${p.due}`));
    const hit = miss.filter((p) => p.flags.has('deadline_at_risk')).length;
    const unflagged = miss.filter((p) => !p.flags.has('deadline_at_risk') && p.pMiss !== null).map((p) => p.pMiss!).sort((a, b) => a - b);
    return {
      bucket,
      missedMornings: miss.length,
      recall: miss.length ? hit / miss.length : null,
      falseAlarms: kept.filter((p) => p.flags.has('deadline_at_risk')).length,
      keptMornings: kept.length,
      medianUnflaggedP: unflagged.length ? unflagged[Math.floor(unflagged.length / 2)]! : null,
    };
  });
}

const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)}%`);

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--rules');
  const seedAt = process.argv.indexOf('--seed');
  const rows = await heldOutMisses(at > 0 ? (JSON.parse(process.argv[at + 1]!) as Record<string, unknown>) : null, seedAt > 0 ? Number(process.argv[seedAt + 1]) : undefined);
  const lines = ['| working days left | mornings of missed dates | flagged (recall) | false alarms / mornings of kept dates | median p of the unflagged missed |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.bucket} | ${r.missedMornings} | ${pct(r.recall)} | ${r.falseAlarms} / ${r.keptMornings} | ${pct(r.medianUnflaggedP)} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const line = (c: Case) => `${c.taskId} ${c.owner} due ${c.due} ${c.left} wd left p=${c.p === null ? '—' : c.p.toFixed(2)}${c.blocked ? ' (waits on another task)' : ''}\n`;
  if (process.argv.includes('--cases')) {
    process.stdout.write('\nMissed, not flagged:\n');
    for (const c of unflaggedMissed) process.stdout.write(line(c));
    process.stdout.write('\nFlagged, kept:\n');
    for (const c of falseAlarms) process.stdout.write(line(c));
  }
}
