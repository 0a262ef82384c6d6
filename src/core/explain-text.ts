/** What `explain` says in words, shared by the CLI and the web UI. Pure. */
import { humanDate, humanDateTime } from './calendar.js';
import type { Explanation } from './engine.js';

/**
 * How far ahead and how sure a deadline forecast is, in words: "How far ahead and how sure: 5 working
 * days before it is due, 80% likely to miss (from the team's cycle time over 14 finished tasks)".
 */
export function riskLead(r: NonNullable<Explanation['risk']>, workdaysLeft: number | null): string {
  if (r.level === 'unknown') return '';
  const ahead = workdaysLeft === null ? '' : workdaysLeft === 0 ? 'due today or past' : `${workdaysLeft} working day${workdaysLeft === 1 ? '' : 's'} before it is due`;
  const basis = r.inputs.samples > 0 ? r.inputs.workSource : `${r.inputs.workSource}; no finished work of its kind to learn from yet`;
  const calibrated = Math.round(r.pMiss * 100) !== Math.round(r.rawPMiss * 100) ? `; the model said ${Math.round(r.rawPMiss * 100)}%, the team's past forecasts moved it` : '';
  return `How far ahead and how sure: ${ahead ? `${ahead}, ` : ''}${Math.round(r.pMiss * 100)}% likely to miss (from ${basis}${calibrated}).`;
}

/** The forecast's inputs in words: when the work can start, how much there is, and what is ahead of it. */
export function riskInputs(i: NonNullable<Explanation['risk']>['inputs'], due: string | null, label: (id: string) => string, tz: string): string {
  const start =
    i.blockers.length > 0
      ? `can start once ${i.blockers.map((b) => `${label(b.id)} is done (${b.finish ? `forecast ${humanDate(b.finish)}` : 'no forecast'})`).join(' and ')}, ${humanDateTime(i.earliestStart, tz)} at the earliest`
      : `can start ${humanDateTime(i.earliestStart, tz)}`;
  const work = i.workHours === null ? 'an unknown amount of work' : `about ${workDays(i.workHours)} of work (${i.workSource})`;
  const queue = i.queue.length ? `; ${i.queueHours} h of the owner's other work comes first (${i.queue.length}${i.queue.length === 5 ? '+' : ''} task${i.queue.length === 1 ? '' : 's'})` : '';
  return `${start}; then ${work}${due ? ` before ${humanDate(due)}` : ''}, with ${i.availableHours} working hours available${queue}.`;
}

const workDays = (hours: number) => (hours >= 8 ? `${Math.round((hours / 8) * 10) / 10} working days` : `${Math.round(hours * 10) / 10} working hours`);
