/** An engine with the config's default rule settings, a Berlin work calendar and a small registry. */
import { configSchema } from '../../src/config/schema.js';
import { buildIdentity } from '../../src/core/identity.js';
import { Engine } from '../../src/core/engine.js';
import type { WorkCalendar } from '../../src/core/calendar.js';

export const defaults = configSchema.parse({});
export const BERLIN: WorkCalendar = { timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, holidays: [] };

export const identity = buildIdentity({
  people: [
    { id: 'alex', name: 'Alex', accounts: { github: ['alexk'], jira: ['acc-alex'] } },
    { id: 'sam', name: 'Sam', accounts: { github: ['samr'], jira: ['acc-sam'] } },
  ],
  teams: [{ id: 'platform', name: 'Platform', aliases: ['DevOps'], accounts: {}, members: ['alex', 'sam'] }],
});

export function engine(over: { rules?: Partial<typeof defaults.rules>; calendar?: WorkCalendar } = {}) {
  return new Engine({
    settings: { ...defaults.rules, ...over.rules },
    calendar: over.calendar ?? BERLIN,
    identity,
    teamNames: { platform: 'Platform' },
  });
}
