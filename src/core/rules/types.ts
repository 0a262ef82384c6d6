/**
 * What every rule receives and returns. Settings mirror the config's `rules` section (the config's parsed
 * output is assignable to them) without the core importing the config module.
 */
import type { Calendar } from '../calendar.js';
import type { TaskGraph } from '../graph.js';
import type { Ownership } from '../identity.js';
import type { Flag, FlagCode, Severity, Task, TaskType } from '../model.js';
import type { RiskResult } from '../risk.js';

export interface Exempt {
  readonly labels: readonly string[];
  readonly types: readonly TaskType[];
  readonly projects: readonly string[];
}

export interface RuleSetting {
  readonly enabled: boolean;
  readonly severity: Severity;
  readonly exempt: Exempt;
}

export interface RulesSettings {
  readonly exempt: Exempt;
  readonly no_owner: RuleSetting;
  readonly shared_owner: RuleSetting;
  readonly team_owner: RuleSetting;
  readonly unmapped_owner: RuleSetting;
  readonly no_due_date: RuleSetting;
  readonly no_priority: RuleSetting;
  readonly missing_context: RuleSetting & { readonly require: readonly ('acceptance_criteria' | 'description')[] };
  readonly overdue: RuleSetting;
  readonly due_soon: RuleSetting & { readonly within: number };
  readonly stale: RuleSetting & { readonly after: number };
  readonly blocked: RuleSetting;
  readonly dependency_at_risk: RuleSetting;
  readonly dependency_cycle: RuleSetting;
  readonly deadline_at_risk: RuleSetting & { readonly minLevel?: 'medium' | 'high' | undefined; readonly minProbability: number; readonly horizon: number; readonly earlySeverity: Severity };
  readonly done_unverified: RuleSetting & { readonly after: number; readonly within: number };
}

export interface RuleContext {
  readonly now: number;
  readonly cal: Calendar;
  readonly settings: RulesSettings;
  readonly ownership: Ownership;
  readonly graph: TaskGraph;
  /** Deadline risk of every open task with a due date that could be forecast. */
  readonly risk: ReadonlyMap<string, RiskResult>;
  /** "OPS-14 (Jira)" */
  readonly label: (taskId: string) => string;
  /** Display name of a person or team id. */
  readonly nameOf: (id: string) => string;
  /** "Thu 26 Nov" */
  readonly day: (date: string) => string;
  /** The first troubled dependency chain above a task (root cause first), if any. */
  readonly upstream: (taskId: string) => UpstreamTrouble | null;
}

export interface UpstreamTrouble {
  /** Task ids from the root cause down to the direct dependency. */
  readonly chain: readonly string[];
  /** One phrase per chain step: "blocked by OPS-14 (Jira), overdue since Tue 24 Nov, its owner has 3 overdue tasks". */
  readonly steps: readonly string[];
  readonly cause: 'overdue' | 'at_risk' | 'due_later' | 'cycle';
}

/** A rule looks at one task and returns its flag, or null. The engine handles enabled/exempt/severity. */
export interface Rule {
  readonly code: FlagCode;
  /** Closed tasks are only looked at by rules that say so (done_unverified). */
  readonly appliesToClosed?: boolean;
  /** A result may carry its own severity (an early warning); else the rule's configured one. */
  check(task: Task, ctx: RuleContext): (Omit<Flag, 'severity' | 'taskId' | 'code'> & { readonly severity?: Severity }) | null;
}
