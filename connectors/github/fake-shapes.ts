/**
 * Response objects of the GitHub fake, in GitHub's own shapes (`simple-user`, `label`, `milestone`,
 * `issue`, `issue-comment`, `pull-request`, `pull-request-review`, `minimal-repository`), with every
 * field the OpenAPI description requires. A test validates them against that description.
 */

export interface UserRec {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Bot' | 'Organization';
  readonly name?: string;
  readonly email?: string;
}

export interface MilestoneRec {
  readonly number: number;
  title: string;
  dueOn: string | null;
  state: 'open' | 'closed';
  readonly id: number;
  readonly createdAt: string;
  updatedAt: string;
}

export interface CommentRec {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface ReviewRec {
  readonly id: number;
  readonly user: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  readonly submittedAt: string;
  readonly body: string;
}

export interface IssueRec {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  labels: string[];
  assignees: string[];
  readonly user: string;
  milestone: number | null;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  /** Numeric ids of the issues blocking this one. */
  blockedBy: number[];
  /** Numeric id of the parent issue. */
  parent: number | null;
  fields: { name: string; type: 'date' | 'text' | 'number'; value: string | number }[];
  pull: null | {
    draft: boolean;
    merged: boolean;
    mergedAt: string | null;
    mergedBy: string | null;
    headRef: string;
    reviews: ReviewRec[];
  };
}

/** One entry of a repository's issue event stream (`GET /repos/{owner}/{repo}/issues/events`). */
export interface EventRec {
  readonly id: number;
  readonly issueNumber: number;
  readonly event: 'closed' | 'reopened' | 'labeled' | 'unlabeled' | 'assigned' | 'unassigned' | 'milestoned' | 'demilestoned' | 'renamed' | 'merged';
  readonly actor: string;
  readonly createdAt: string;
  readonly label?: string;
  readonly assignee?: string;
  readonly milestone?: string;
  readonly rename?: { readonly from: string; readonly to: string };
  readonly stateReason?: string | null;
}

export interface RepoRec {
  readonly id: number;
  readonly fullName: string;
  readonly issues: Map<number, IssueRec>;
  readonly comments: CommentRec[];
  /** The issue event stream, oldest first (ids ascending). */
  readonly events: EventRec[];
  readonly milestones: Map<number, MilestoneRec>;
  nextNumber: number;
}

/** Lookups the shapes need, kept by the fake so building a page of issues stays linear. */
export interface FakeIndex {
  byId(id: number): { repo: RepoRec; issue: IssueRec } | undefined;
  children(id: number): readonly IssueRec[];
  commentCount(repo: RepoRec, n: number): number;
  milestoneCounts(repo: RepoRec, m: number): { open: number; closed: number };
  openCount(repo: RepoRec): number;
}

const hex = (n: number) => n.toString(16).padStart(40, '0');
const nodeId = (prefix: string, id: number) => Buffer.from(`${prefix}${id}`).toString('base64').replace(/=+$/, '');

export class Shapes {
  constructor(
    private readonly api: () => string,
    private readonly web: () => string,
    private readonly userOf: (login: string) => UserRec,
    private readonly idx: () => FakeIndex,
  ) {}

  user(login: string) {
    const u = this.userOf(login);
    const a = `${this.api()}/users/${u.login}`;
    return {
      login: u.login,
      id: u.id,
      node_id: nodeId('U_', u.id),
      avatar_url: `${this.web()}/avatars/${u.login}`,
      gravatar_id: '',
      url: a,
      html_url: `${this.web()}/${u.login}`,
      followers_url: `${a}/followers`,
      following_url: `${a}/following{/other_user}`,
      gists_url: `${a}/gists{/gist_id}`,
      starred_url: `${a}/starred{/owner}{/repo}`,
      subscriptions_url: `${a}/subscriptions`,
      organizations_url: `${a}/orgs`,
      repos_url: `${a}/repos`,
      events_url: `${a}/events{/privacy}`,
      received_events_url: `${a}/received_events`,
      type: u.type,
      site_admin: false,
      ...(u.name ? { name: u.name } : {}),
      ...(u.email ? { email: u.email } : {}),
    };
  }

  /** GET /user: a private-user (the token's owner). */
  privateUser(login: string) {
    const u = this.userOf(login);
    return {
      ...this.user(login),
      name: u.name ?? null,
      email: u.email ?? null,
      company: null,
      blog: '',
      location: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      private_gists: 0,
      total_private_repos: 0,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
    };
  }

  label(repo: RepoRec, name: string) {
    let h = 0;
    for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return {
      id: h,
      node_id: nodeId('LA_', h),
      url: `${this.api()}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: (h & 0xffffff).toString(16).padStart(6, '0'),
      default: false,
    };
  }

  milestone(repo: RepoRec, m: MilestoneRec) {
    const counts = this.idx().milestoneCounts(repo, m.number);
    return {
      url: `${this.api()}/repos/${repo.fullName}/milestones/${m.number}`,
      html_url: `${this.web()}/${repo.fullName}/milestone/${m.number}`,
      labels_url: `${this.api()}/repos/${repo.fullName}/milestones/${m.number}/labels`,
      id: m.id,
      node_id: nodeId('MI_', m.id),
      number: m.number,
      state: m.state,
      title: m.title,
      description: null,
      creator: null,
      open_issues: counts.open,
      closed_issues: counts.closed,
      created_at: m.createdAt,
      updated_at: m.updatedAt,
      closed_at: null,
      due_on: m.dueOn,
    };
  }

  issue(repo: RepoRec, i: IssueRec) {
    const idx = this.idx();
    const byId = (id: number) => idx.byId(id);
    const api = `${this.api()}/repos/${repo.fullName}`;
    const kind = i.pull ? 'pull' : 'issues';
    const m = i.milestone === null ? null : repo.milestones.get(i.milestone);
    const blockers = i.blockedBy.map(byId).filter((x) => x !== undefined);
    const children = idx.children(i.id);
    const parent = i.parent === null ? undefined : byId(i.parent);
    const fieldValue = (f: IssueRec['fields'][number], n: number) => ({
      issue_field_id: n + 1,
      issue_field_name: f.name,
      node_id: nodeId('IFV_', n + 1),
      data_type: f.type,
      value: f.value,
    });
    return {
      id: i.id,
      node_id: nodeId('I_', i.id),
      url: `${api}/issues/${i.number}`,
      repository_url: api,
      labels_url: `${api}/issues/${i.number}/labels{/name}`,
      comments_url: `${api}/issues/${i.number}/comments`,
      events_url: `${api}/issues/${i.number}/events`,
      html_url: `${this.web()}/${repo.fullName}/${kind}/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.stateReason,
      title: i.title,
      body: i.body,
      user: this.user(i.user),
      labels: i.labels.map((l) => this.label(repo, l)),
      assignee: i.assignees[0] ? this.user(i.assignees[0]) : null,
      assignees: i.assignees.map((a) => this.user(a)),
      milestone: m ? this.milestone(repo, m) : null,
      locked: false,
      active_lock_reason: null,
      comments: idx.commentCount(repo, i.number),
      ...(i.pull
        ? {
            pull_request: {
              url: `${api}/pulls/${i.number}`,
              html_url: `${this.web()}/${repo.fullName}/pull/${i.number}`,
              diff_url: `${this.web()}/${repo.fullName}/pull/${i.number}.diff`,
              patch_url: `${this.web()}/${repo.fullName}/pull/${i.number}.patch`,
              merged_at: i.pull.mergedAt,
            },
            draft: i.pull.draft,
          }
        : {}),
      closed_at: i.closedAt,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_by: i.closedBy ? this.user(i.closedBy) : null,
      timeline_url: `${api}/issues/${i.number}/timeline`,
      author_association: 'MEMBER',
      reactions: { url: `${api}/issues/${i.number}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 },
      sub_issues_summary: {
        total: children.length,
        completed: children.filter((c) => c.state === 'closed').length,
        percent_completed: children.length === 0 ? 0 : Math.round((100 * children.filter((c) => c.state === 'closed').length) / children.length),
      },
      parent_issue_url: parent ? `${this.api()}/repos/${parent.repo.fullName}/issues/${parent.issue.number}` : null,
      issue_dependencies_summary: {
        blocked_by: blockers.filter((b) => b.issue.state === 'open').length,
        blocking: 0,
        total_blocked_by: blockers.length,
        total_blocking: 0,
      },
      issue_field_values: i.fields.map(fieldValue),
    };
  }

  /** An `issue-event` as the repository's event stream lists it: the issue embedded in its current state. */
  issueEvent(repo: RepoRec, e: EventRec) {
    const issue = repo.issues.get(e.issueNumber);
    return {
      id: e.id,
      node_id: nodeId('IE_', e.id),
      url: `${this.api()}/repos/${repo.fullName}/issues/events/${e.id}`,
      actor: this.user(e.actor),
      event: e.event,
      commit_id: null,
      commit_url: null,
      created_at: e.createdAt,
      ...(issue ? { issue: this.issue(repo, issue) } : {}),
      ...(e.label !== undefined ? { label: { name: e.label, color: this.label(repo, e.label).color } } : {}),
      ...(e.assignee !== undefined ? { assignee: this.user(e.assignee), assigner: this.user(e.actor) } : {}),
      ...(e.milestone !== undefined ? { milestone: { title: e.milestone } } : {}),
      ...(e.rename ? { rename: { from: e.rename.from, to: e.rename.to } } : {}),
      ...(e.event === 'closed' || e.event === 'reopened' ? { state_reason: e.stateReason ?? null } : {}),
      performed_via_github_app: null,
    };
  }

  comment(repo: RepoRec, c: CommentRec) {
    const api = `${this.api()}/repos/${repo.fullName}`;
    return {
      id: c.id,
      node_id: nodeId('IC_', c.id),
      url: `${api}/issues/comments/${c.id}`,
      body: c.body,
      html_url: `${this.web()}/${repo.fullName}/issues/${c.issueNumber}#issuecomment-${c.id}`,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      issue_url: `${api}/issues/${c.issueNumber}`,
      author_association: 'MEMBER',
      performed_via_github_app: null,
      reactions: { url: `${api}/issues/comments/${c.id}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 },
    };
  }

  repository(repo: RepoRec) {
    const [owner = '', name = ''] = repo.fullName.split('/');
    const api = `${this.api()}/repos/${repo.fullName}`;
    const urls = Object.fromEntries(
      ['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits', 'compare', 'contents', 'contributors', 'deployments', 'downloads', 'events', 'forks', 'git_commits', 'git_refs', 'git_tags', 'hooks', 'issue_comment', 'issue_events', 'issues', 'keys', 'labels', 'languages', 'merges', 'milestones', 'notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers', 'subscription', 'tags', 'teams', 'trees'].map((k) => [`${k}_url`, `${api}/${k.replace('_', '/')}`]),
    );
    return {
      id: repo.id,
      node_id: nodeId('R_', repo.id),
      name,
      full_name: repo.fullName,
      owner: this.user(owner),
      private: true,
      html_url: `${this.web()}/${repo.fullName}`,
      description: null,
      fork: false,
      url: api,
      ...urls,
      git_url: `git://127.0.0.1/${repo.fullName}.git`,
      ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
      clone_url: `${this.web()}/${repo.fullName}.git`,
      svn_url: `${this.web()}/${repo.fullName}`,
      mirror_url: null,
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: 'main',
      open_issues: 0,
      open_issues_count: this.idx().openCount(repo),
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      archived: false,
      disabled: false,
      license: null,
      pushed_at: '2026-01-01T00:00:00Z',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    };
  }

  pull(repo: RepoRec, i: IssueRec) {
    const p = i.pull!;
    const api = `${this.api()}/repos/${repo.fullName}`;
    const m = i.milestone === null ? null : repo.milestones.get(i.milestone);
    const link = (href: string) => ({ href });
    const side = (ref: string) => ({ label: `${repo.fullName.split('/')[0]}:${ref}`, ref, repo: this.repository(repo), sha: hex(i.id), user: this.user(repo.fullName.split('/')[0]!) });
    return {
      url: `${api}/pulls/${i.number}`,
      id: i.id,
      node_id: nodeId('PR_', i.id),
      html_url: `${this.web()}/${repo.fullName}/pull/${i.number}`,
      diff_url: `${this.web()}/${repo.fullName}/pull/${i.number}.diff`,
      patch_url: `${this.web()}/${repo.fullName}/pull/${i.number}.patch`,
      issue_url: `${api}/issues/${i.number}`,
      commits_url: `${api}/pulls/${i.number}/commits`,
      review_comments_url: `${api}/pulls/${i.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${i.number}/comments`,
      statuses_url: `${api}/statuses/${hex(i.id)}`,
      number: i.number,
      state: i.state,
      locked: false,
      title: i.title,
      user: this.user(i.user),
      body: i.body,
      labels: i.labels.map((l) => this.label(repo, l)),
      milestone: m ? this.milestone(repo, m) : null,
      active_lock_reason: null,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      merged_at: p.mergedAt,
      merge_commit_sha: p.merged ? hex(i.id + 1) : null,
      assignee: i.assignees[0] ? this.user(i.assignees[0]) : null,
      assignees: i.assignees.map((a) => this.user(a)),
      requested_reviewers: [],
      requested_teams: [],
      head: side(p.headRef),
      base: side('main'),
      _links: {
        self: link(`${api}/pulls/${i.number}`),
        html: link(`${this.web()}/${repo.fullName}/pull/${i.number}`),
        issue: link(`${api}/issues/${i.number}`),
        comments: link(`${api}/issues/${i.number}/comments`),
        review_comments: link(`${api}/pulls/${i.number}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${i.number}/commits`),
        statuses: link(`${api}/statuses/${hex(i.id)}`),
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: p.draft,
      merged: p.merged,
      mergeable: p.merged ? null : true,
      rebaseable: null,
      mergeable_state: p.merged ? 'unknown' : 'clean',
      merged_by: p.mergedBy ? this.user(p.mergedBy) : null,
      comments: this.idx().commentCount(repo, i.number),
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 10,
      deletions: 2,
      changed_files: 1,
    };
  }

  review(repo: RepoRec, i: IssueRec, r: ReviewRec) {
    const api = `${this.api()}/repos/${repo.fullName}`;
    return {
      id: r.id,
      node_id: nodeId('PRR_', r.id),
      user: this.user(r.user),
      body: r.body,
      state: r.state,
      html_url: `${this.web()}/${repo.fullName}/pull/${i.number}#pullrequestreview-${r.id}`,
      pull_request_url: `${api}/pulls/${i.number}`,
      _links: { html: { href: `${this.web()}/${repo.fullName}/pull/${i.number}#pullrequestreview-${r.id}` }, pull_request: { href: `${api}/pulls/${i.number}` } },
      submitted_at: r.submittedAt,
      commit_id: hex(i.id),
      author_association: 'MEMBER',
    };
  }
}
