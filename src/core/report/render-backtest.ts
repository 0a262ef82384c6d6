/**
 * The backtest as text for the terminal and as one self-contained HTML page (calibration chart and
 * lead-time histogram as inline SVG).
 */
import type { BacktestResult } from '../backtest.js';
import { BASE, CSS, esc, svgOf } from './render-html.js';

/** What the renderers read of a backtest (its case list aside). */
export type BacktestView = Omit<BacktestResult, 'caseList'>;

/** The goal the model is held to (issue 12). */
export const GOAL = { recall: 0.8, precision: 0.7, medianLeadDays: 3 } as const;

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const num = (x: number | null, d = 1) => (x === null ? '—' : x.toFixed(d));

export function goalMet(b: BacktestView): boolean {
  const f = b.flags.deadline_at_risk;
  return (f.taskDays.recall ?? 0) >= GOAL.recall && (f.taskDays.precision ?? 0) >= GOAL.precision && (f.medianLeadDays ?? 0) >= GOAL.medianLeadDays;
}

/** One line for the demo and the README: "deadline_at_risk caught 9 of 11 misses (82%) …". */
export function headline(b: BacktestView): string {
  const f = b.flags.deadline_at_risk;
  return `deadline_at_risk caught ${f.tp} of ${b.misses} missed dates (recall ${pct(f.recall)}) at precision ${pct(f.precision)}, a median ${num(f.medianLeadDays)} working days ahead; Brier ${num(b.calibration.brier, 3)} over ${b.calibration.n} forecasts`;
}

export function renderBacktestText(b: BacktestView): string {
  const lines: string[] = [];
  lines.push(`Backtest ${b.from} → ${b.to}, every ${b.everyDays === 1 ? 'working day' : b.workdays ? `${b.everyDays} working days` : `${b.everyDays} days`} (${b.days} evaluations, ${b.timezone})`);
  lines.push(`${b.cases} due dates with a known outcome (${b.misses} missed, ${b.cases - b.misses} met); ${b.unknown} not decided yet; ${b.predictions} task-days forecast`);
  lines.push('');
  lines.push(`  ${'flag'.padEnd(20)} ${'flagged'.padStart(7)} ${'TP'.padStart(4)} ${'FP'.padStart(4)} ${'FN'.padStart(4)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(5)}  ${'task-days: precision'.padStart(20)} ${'recall'.padStart(7)}  median lead`);
  for (const [code, f] of Object.entries(b.flags)) {
    lines.push(`  ${code.padEnd(20)} ${String(f.flagged).padStart(7)} ${String(f.tp).padStart(4)} ${String(f.fp).padStart(4)} ${String(f.fn).padStart(4)} ${pct(f.precision).padStart(9)} ${pct(f.recall).padStart(7)} ${num(f.f1, 2).padStart(5)}  ${pct(f.taskDays.precision).padStart(20)} ${pct(f.taskDays.recall).padStart(7)}  ${f.medianLeadDays === null ? '—' : `${num(f.medianLeadDays)} working days`}`);
  }
  lines.push('');
  lines.push(`Calibration (deadline forecasts, ${b.calibration.n} task-days; Brier ${num(b.calibration.brier, 3)}, lower is better):`);
  for (const band of b.calibration.bands) {
    lines.push(`  predicted ${String(Math.round(band.from * 100)).padStart(3)}–${String(Math.round(band.to * 100)).padEnd(3)}%  ${String(band.n).padStart(5)} forecasts, mean ${pct(band.meanPredicted).padStart(4)}, actually missed ${pct(band.actualRate).padStart(4)}`);
  }
  lines.push('');
  const f = b.flags.deadline_at_risk;
  const met = goalMet(b);
  lines.push(`Goal (task-days): recall ≥ ${GOAL.recall * 100}% at precision ≥ ${GOAL.precision * 100}% with a median lead of ≥ ${GOAL.medianLeadDays} working days — ${met ? 'met' : 'NOT met'} (recall ${pct(f.taskDays.recall)}, precision ${pct(f.taskDays.precision)}, lead ${num(f.medianLeadDays)}).`);
  return `${lines.join('\n')}\n`;
}

export async function renderBacktestHtml(b: BacktestView): Promise<string> {
  const cal = b.calibration.bands.filter((x) => x.n > 0).map((x) => ({ predicted: x.meanPredicted, actual: x.actualRate, n: x.n }));
  const calibration = await svgOf({
    ...BASE,
    width: 320,
    height: 240,
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#9ca3af' }, encoding: { x: { field: 'x', type: 'quantitative', title: 'predicted probability of missing', scale: { domain: [0, 1] } }, y: { field: 'y', type: 'quantitative', title: 'share actually missed', scale: { domain: [0, 1] } } } },
      { data: { values: cal }, mark: { type: 'circle', color: '#2563eb' }, encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'actual', type: 'quantitative' }, size: { field: 'n', type: 'quantitative', title: 'forecasts' } } },
    ],
  });
  const leads = b.flags.deadline_at_risk.leadDays.map((d) => ({ d }));
  const histogram = leads.length
    ? await svgOf({ ...BASE, width: 320, height: 200, data: { values: leads }, mark: { type: 'bar', color: '#16a34a' }, encoding: { x: { field: 'd', type: 'quantitative', bin: { step: 1 }, title: 'working days of warning before the due date' }, y: { aggregate: 'count', type: 'quantitative', title: 'missed dates caught' } } })
    : '<p>No missed date was caught, so there is no lead time to show.</p>';
  const rows = Object.entries(b.flags)
    .map(([code, f]) => `<tr><td>${esc(code)}</td><td>${f.flagged}</td><td>${f.tp}</td><td>${f.fp}</td><td>${f.fn}</td><td>${pct(f.precision)}</td><td>${pct(f.recall)}</td><td>${num(f.f1, 2)}</td><td>${f.medianLeadDays === null ? '—' : num(f.medianLeadDays)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>taskwire backtest ${esc(b.from)} → ${esc(b.to)}</title><style>${CSS} table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #e5e7eb;text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body><main>
<header><h1>taskwire backtest <small>${esc(b.from)} → ${esc(b.to)}</small></h1><p class="meta">${b.days} evaluations · ${b.cases} due dates with a known outcome (${b.misses} missed) · ${b.predictions} task-days forecast · ${esc(b.timezone)}</p></header>
<section><h2>How right the flags were</h2><p>${esc(headline(b))}.</p><table><thead><tr><th>flag</th><th>flagged</th><th>TP</th><th>FP</th><th>FN</th><th>precision</th><th>recall</th><th>F1</th><th>median lead (working days)</th></tr></thead><tbody>${rows}</tbody></table><p>Goal (task-days): recall ≥ ${GOAL.recall * 100}% at precision ≥ ${GOAL.precision * 100}% with a median lead of at least ${GOAL.medianLeadDays} working days — <strong>${goalMet(b) ? 'met' : 'not met'}</strong>.</p></section>
<section class="charts"><figure>${calibration}<figcaption>Calibration: predicted against actual miss rate (dashed: perfect)</figcaption></figure><figure>${histogram}<figcaption>Lead time of the correct deadline_at_risk flags</figcaption></figure></section>
</main></body></html>
`;
}
