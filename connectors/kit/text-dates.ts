/**
 * Due dates and priorities read from what people write ("by Friday", "tomorrow EOD", "urgent", "P1"),
 * shared by the connectors whose items are free text (Slack messages, email threads). Pure.
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { Priority } from '../../src/core/model.js';

export const DEFAULT_PRIORITY_WORDS: Readonly<Record<Priority, readonly string[]>> = {
  urgent: ['urgent', 'asap', 'p0', 'outage', 'sev1', ':rotating_light:', ':fire:'],
  high: ['important', 'p1', 'high priority', 'sev2', ':warning:'],
  medium: ['p2'],
  low: ['p3', 'low priority', 'whenever', 'no rush'],
};

/**
 * The due date written in a message ("by Friday", "tomorrow EOD", "by Oct 30"), read as of when it was
 * posted, as a calendar day in the team's time zone (the zone's offset at that moment, so a message
 * posted just after midnight local time, or across a DST change, gets the local day).
 */
export function dueFromText(text: string, postedAt: Date, timezone: string): string | null {
  const offset = DateTime.fromJSDate(postedAt, { zone: timezone }).offset;
  const found = chrono.parse(text, { instant: postedAt, timezone: offset }, { forwardDate: true });
  const r = found[0];
  if (r) {
    const y = r.start.get('year');
    const m = r.start.get('month');
    const d = r.start.get('day');
    if (y && m && d) return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  if (/\b(eod|cob|end of (the )?day|today)\b/i.test(text)) return DateTime.fromJSDate(postedAt, { zone: timezone }).toISODate();
  return null;
}

export function priorityFromText(text: string, words: Readonly<Record<Priority, readonly string[]>>): { priority: Priority | null; raw: string | null } {
  const lower = text.toLowerCase();
  for (const p of ['urgent', 'high', 'medium', 'low'] as const) {
    for (const w of words[p]) {
      const word = w.toLowerCase();
      const hit = word.startsWith(':') ? lower.includes(word) : new RegExp(`(^|[^\\w])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`).test(lower);
      if (hit) return { priority: p, raw: w };
    }
  }
  return { priority: null, raw: null };
}

