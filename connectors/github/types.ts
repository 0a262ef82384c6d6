/**
 * The parts of GitHub's REST and webhook shapes this connector reads (schema names from GitHub's
 * OpenAPI description: `issue`, `simple-user`, `label`, `milestone`, `issue-comment`, `pull-request`,
 * `pull-request-review`). Raw tool types stay here; `normalize.ts` maps them to the canonical model.
 */

export interface GhUser {
  readonly login: string;
  readonly id: number;
  readonly type: string; // 'User' | 'Bot' | 'Organization'
  readonly name?: string | null;
  readonly email?: string | null;
}

export interface GhLabel {
  readonly name: string;
}

export interface GhMilestone {
  readonly number: number;
  readonly title: string;
  readonly due_on: string | null;
  readonly state: string;
}

export interface GhIssueFieldValue {
  readonly issue_field_name?: string;
  readonly data_type: string;
  readonly value: string | number | null;
  readonly single_select_option?: { readonly name: string } | null;
}

export interface GhIssue {
  readonly id: number;
  readonly number: number;
  readonly html_url: string;
  readonly url: string;
  readonly repository_url: string;
  readonly state: string; // open | closed
  readonly state_reason?: string | null;
  readonly title: string;
  readonly body?: string | null;
  readonly user: GhUser | null;
  readonly labels: readonly (GhLabel | string)[];
  readonly assignee: GhUser | null;
  readonly assignees?: readonly GhUser[] | null;
  readonly milestone: GhMilestone | null;
  readonly comments: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly closed_at: string | null;
  readonly pull_request?: { readonly merged_at?: string | null; readonly html_url: string | null } | undefined;
  readonly draft?: boolean;
  readonly parent_issue_url?: string | null;
  readonly issue_dependencies_summary?: { readonly blocked_by: number; readonly total_blocked_by: number } | undefined;
  readonly issue_field_values?: readonly GhIssueFieldValue[] | undefined;
  readonly type?: { readonly name: string } | null;
}

export interface GhComment {
  readonly id: number;
  readonly html_url: string;
  readonly issue_url: string;
  readonly body?: string;
  readonly user: GhUser | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly performed_via_github_app?: unknown;
}

export interface GhPull {
  readonly number: number;
  readonly html_url: string;
  readonly title: string;
  readonly body: string | null;
  readonly state: string;
  readonly draft?: boolean;
  readonly merged: boolean;
  readonly merged_at: string | null;
  readonly closed_at: string | null;
  readonly updated_at: string;
  readonly created_at: string;
  readonly user: GhUser | null;
  readonly merged_by?: GhUser | null;
  readonly head: { readonly ref: string };
}

export interface GhReview {
  readonly id: number;
  readonly user: GhUser | null;
  readonly state: string; // APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
  readonly submitted_at?: string;
  readonly html_url: string;
}

export interface GhRepo {
  readonly full_name: string;
  readonly archived?: boolean;
  readonly has_issues?: boolean;
}

/**
 * One entry of a repository's issue event stream (`issue-event`): `GET /repos/{owner}/{repo}/issues/events`,
 * newest first. `issue` is embedded in its current state, not as it was at the event.
 */
export interface GhIssueEvent {
  readonly id: number;
  readonly event: string;
  readonly actor: GhUser | null;
  readonly created_at: string;
  readonly issue?: GhIssue | null;
  readonly label?: { readonly name: string } | null;
  readonly assignee?: GhUser | null;
  readonly milestone?: { readonly title: string } | null;
  readonly rename?: { readonly from: string; readonly to: string } | null;
  /** On closed/reopened events (GitHub sends it there; `state-change-issue-event`). */
  readonly state_reason?: string | null;
  readonly performed_via_github_app?: unknown;
}

// ---- GitHub Projects (GraphQL; type names from GitHub's published schema) ----

/** `ProjectV2FieldConfiguration`: a field of a project, with its options or iterations. */
export interface GqlProjectField {
  readonly __typename: 'ProjectV2Field' | 'ProjectV2SingleSelectField' | 'ProjectV2IterationField';
  readonly id: string;
  readonly name: string;
  readonly dataType: string; // DATE | SINGLE_SELECT | ITERATION | NUMBER | TEXT | …
  readonly options?: readonly { readonly id: string; readonly name: string }[];
  readonly configuration?: { readonly iterations: readonly GqlIteration[]; readonly completedIterations: readonly GqlIteration[] };
}

export interface GqlIteration {
  readonly id: string;
  readonly title: string;
  readonly startDate: string;
  /** Days. */
  readonly duration: number;
}

/** `ProjectV2`, as the connector reads it. */
export interface GqlProject {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly updatedAt: string;
  readonly fields: { readonly nodes: readonly (GqlProjectField | null)[] };
}

/** `ProjectV2ItemFieldValue`: the value types the connector reads (others arrive with only `__typename`). */
export type GqlFieldValue =
  | { readonly __typename: 'ProjectV2ItemFieldDateValue'; readonly date: string | null; readonly field: { readonly name?: string } }
  | { readonly __typename: 'ProjectV2ItemFieldSingleSelectValue'; readonly name: string | null; readonly optionId: string | null; readonly field: { readonly name?: string } }
  | { readonly __typename: 'ProjectV2ItemFieldIterationValue'; readonly title: string; readonly startDate: string; readonly duration: number; readonly iterationId: string; readonly field: { readonly name?: string } }
  | { readonly __typename: 'ProjectV2ItemFieldNumberValue'; readonly number: number | null; readonly field: { readonly name?: string } }
  | { readonly __typename: string; readonly field?: { readonly name?: string } };

export interface GqlUser {
  readonly login: string;
  readonly name?: string | null;
}

/** `ProjectV2ItemContent`. */
export type GqlItemContent =
  | { readonly __typename: 'Issue' | 'PullRequest'; readonly number: number; readonly repository: { readonly nameWithOwner: string } }
  | {
      readonly __typename: 'DraftIssue';
      readonly id: string;
      readonly title: string;
      readonly body: string;
      readonly createdAt: string;
      readonly updatedAt: string;
      readonly creator: { readonly login: string } | null;
      readonly assignees: { readonly nodes: readonly (GqlUser | null)[] };
    };

/** `ProjectV2Item`. */
export interface GqlProjectItem {
  readonly id: string;
  readonly fullDatabaseId?: string | null;
  readonly updatedAt: string;
  readonly isArchived: boolean;
  readonly type: string; // ISSUE | PULL_REQUEST | DRAFT_ISSUE | REDACTED
  readonly content: GqlItemContent | null;
  readonly fieldValues: { readonly nodes: readonly (GqlFieldValue | null)[] };
  /** Present when the item was read on its own (a webhook), not through its project. */
  readonly project?: { readonly id: string };
}

/** `RateLimit`: GraphQL points. */
export interface GqlRateLimit {
  readonly cost: number;
  readonly remaining: number;
  readonly limit: number;
  readonly resetAt: string;
}
