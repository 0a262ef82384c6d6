/**
 * The parts of Jira's REST v3 shapes this connector reads (schema names from Atlassian's OpenAPI
 * description: `IssueBean`, `UserDetails`, `IssueLink`, `Comment`, `Transitions`, `Changelog`). Raw tool
 * types stay here; `normalize.ts` maps them to the canonical model.
 */

export interface JiraUser {
  readonly accountId: string;
  readonly accountType?: string; // atlassian | app | customer | unknown
  readonly displayName?: string;
  readonly emailAddress?: string | null;
  readonly active?: boolean;
  readonly timeZone?: string;
}

export interface JiraStatus {
  readonly name: string;
  readonly statusCategory?: { readonly key?: string; readonly name?: string };
}

export interface JiraLinkedIssue {
  readonly id?: string;
  readonly key: string;
  readonly fields?: { readonly status?: JiraStatus; readonly summary?: string };
}

export interface JiraIssueLink {
  readonly type: { readonly name: string; readonly inward: string; readonly outward: string };
  readonly inwardIssue?: JiraLinkedIssue;
  readonly outwardIssue?: JiraLinkedIssue;
}

export interface JiraComment {
  readonly id: string;
  readonly author?: JiraUser;
  readonly updateAuthor?: JiraUser;
  readonly body?: unknown;
  readonly created: string | number;
  readonly updated?: string | number;
  readonly properties?: readonly { readonly key: string; readonly value: unknown }[];
}

export interface JiraSprint {
  readonly name: string;
  readonly state?: string;
  readonly endDate?: string;
}

export interface JiraFields {
  readonly summary?: string;
  readonly description?: unknown;
  readonly status?: JiraStatus;
  readonly resolution?: { readonly name: string } | null;
  readonly resolutiondate?: string | null;
  readonly statuscategorychangedate?: string | null;
  readonly priority?: { readonly name: string } | null;
  readonly assignee?: JiraUser | null;
  readonly reporter?: JiraUser | null;
  readonly duedate?: string | null;
  readonly labels?: readonly string[];
  readonly issuelinks?: readonly JiraIssueLink[];
  readonly subtasks?: readonly JiraLinkedIssue[];
  readonly parent?: JiraLinkedIssue | null;
  readonly issuetype?: { readonly name?: string; readonly subtask?: boolean };
  readonly project?: { readonly key?: string; readonly name?: string };
  readonly fixVersions?: readonly { readonly name: string; readonly releaseDate?: string }[];
  readonly timetracking?: { readonly originalEstimateSeconds?: number; readonly remainingEstimateSeconds?: number; readonly timeSpentSeconds?: number };
  readonly timeoriginalestimate?: number | null;
  readonly timeestimate?: number | null;
  readonly timespent?: number | null;
  readonly comment?: { readonly comments?: readonly JiraComment[] };
  readonly created?: string | number;
  readonly updated?: string | number;
  readonly [custom: string]: unknown;
}

export interface JiraIssue {
  readonly id: string;
  readonly key: string;
  readonly fields: JiraFields;
  readonly changelog?: { readonly histories?: readonly JiraHistory[] };
}

export interface JiraHistory {
  readonly id?: string;
  readonly author?: JiraUser;
  readonly created: string | number;
  readonly items: readonly { readonly field: string; readonly fieldId?: string; readonly from?: string | null; readonly fromString?: string | null; readonly to?: string | null; readonly toString?: string | null }[];
}

export interface JiraSearchPage {
  readonly issues: readonly JiraIssue[];
  readonly nextPageToken?: string;
  readonly isLast?: boolean;
}

export interface JiraTransition {
  readonly id: string;
  readonly name: string;
  readonly to?: { readonly name?: string; readonly statusCategory?: { readonly key?: string } };
}
