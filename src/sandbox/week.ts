/**
 * The rest of the sandbox team's week, as people would do it in their tools: each step changes a fake
 * the way a person would, and the fake sends the signed webhook the real tool would send.
 */
import type { Sandbox } from './sandbox.js';
import { CLIENT, CLIENT_THREAD, clientMail, NOTION_ROWS, PEOPLE, SLACK_OPS, SUPPORT_MAILBOX } from './scenario.js';

export interface WeekStep {
  /** What a person did, in words. */
  readonly what: string;
  readonly run: (sb: Sandbox) => Promise<void>;
}

const P = Object.fromEntries(PEOPLE.map((p) => [p.id, p]));
const who = (id: string) => P[id]!;

export const WEEK: readonly WeekStep[] = [
  {
    what: 'GitHub acme/infra#12 — Alex: "Rule is in staging; testing with dig."',
    run: async (sb) => void sb.github.addComment('acme/infra', 12, who('alex').github, 'Rule is in staging; testing with dig.'),
  },
  {
    what: 'GitHub acme/infra#12 — Alex closes the firewall rule as completed (OPS-12 is no longer blocked)',
    run: async (sb) => sb.github.updateIssue('acme/infra', 12, { state: 'closed', stateReason: 'completed' }, who('alex').github),
  },
  {
    what: 'Notion "Client approval on scope" — Priya sets it to Done (the scope is signed)',
    run: async (sb) => sb.notion.edit(NOTION_ROWS.approval, { Status: 'Done' }, who('priya').notion),
  },
  {
    what: 'Jira OPS-19 — Jordan moves "Confirm server specs" to In Progress',
    run: async (sb) => sb.jira.updateIssue('OPS-19', { status: 'In Progress' }, who('jordan').jira),
  },
  {
    what: 'Slack #ops — Sam, in the backup thread: "on it — disk on the backup host was full"',
    run: async (sb) => {
      const msg = sb.slack.find(SLACK_OPS, (m) => m.text.startsWith('the nightly backup job failed'));
      if (msg) await sb.slack.post(SLACK_OPS, who('sam').slack, 'on it — disk on the backup host was full', msg.ts);
    },
  },
  {
    what: 'GitHub acme/infra — Alex opens and merges a pull request "OPS-12: cut the client A zone over to the new resolvers"',
    run: async (sb) => {
      const n = sb.github.createIssue('acme/infra', { title: 'OPS-12: cut the client A zone over to the new resolvers', body: 'Zone files and resolver config.', user: who('alex').github, assignees: [who('alex').github], pull: { headRef: 'ops-12-dns-cutover' } });
      sb.github.mergePull('acme/infra', n, who('alex').github);
    },
  },
  {
    what: `Email — Alex replies to ${CLIENT.name}: "Moved to Tuesday 22:00, the new records are staged. [done]"`,
    run: async (sb) => {
      const alex = who('alex');
      sb.email.deliver(clientMail(sb.now(), { subject: 'Re: Please move the DNS cutover', id: 'dns-cutover.2@acme.example', inReplyTo: CLIENT_THREAD, from: { name: alex.name, email: alex.email }, to: `${CLIENT.name} <${CLIENT.email}>, ${SUPPORT_MAILBOX}`, body: 'Hi Clara,\n\nMoved to Tuesday 22:00, the new records are staged. [done]\n\nAlex' }));
    },
  },
  {
    what: `Email — ${CLIENT.name}: "Tested from our office: works. Thanks!"`,
    run: async (sb) => void sb.email.deliver(clientMail(sb.now(), { subject: 'Re: Please move the DNS cutover', id: 'dns-cutover.3@client-a.example', inReplyTo: 'dns-cutover.2@acme.example', body: 'Tested from our office: works. Thanks!\n\nClara' })),
  },
  {
    what: 'Slack #ops — Mia reacts :white_check_mark: on "can someone fix the API issue?" (fixed)',
    run: async (sb) => {
      const msg = sb.slack.find(SLACK_OPS, (m) => m.text.startsWith('can someone fix the API issue'));
      if (msg) await sb.slack.react(SLACK_OPS, msg.ts, who('mia').slack, 'white_check_mark');
    },
  },
];

/** Waits `ms`, or less if `signal` aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
