/** Every flag rule, in the order their flags are listed. */
import { blocked } from './blocked.js';
import { deadlineAtRisk } from './deadline-at-risk.js';
import { dependencyAtRisk } from './dependency-at-risk.js';
import { dependencyCycle } from './dependency-cycle.js';
import { doneUnverified } from './done-unverified.js';
import { dueSoon } from './due-soon.js';
import { missingContext } from './missing-context.js';
import { noDueDate } from './no-due-date.js';
import { noOwner } from './no-owner.js';
import { noPriority } from './no-priority.js';
import { overdue } from './overdue.js';
import { sharedOwner } from './shared-owner.js';
import { stale } from './stale.js';
import { teamOwner } from './team-owner.js';
import type { Rule } from './types.js';
import { unmappedOwner } from './unmapped-owner.js';

export const RULES: readonly Rule[] = [
  noOwner,
  sharedOwner,
  teamOwner,
  unmappedOwner,
  noDueDate,
  noPriority,
  missingContext,
  overdue,
  dueSoon,
  stale,
  blocked,
  dependencyAtRisk,
  dependencyCycle,
  deadlineAtRisk,
  doneUnverified,
];
