/** `taskwire demo` tells the story from what really happened: the screens are checked against the tools. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { COMMENT_SETTLE_MS } from '../../src/core/planner.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { runDemo } from '../../src/sandbox/demo.js';
import { T0 } from '../support/sandbox.js';

describe('taskwire demo', () => {
  it('runs install day, the night and the next morning on the sandbox and exits 0, with the report written', async () => {
    let text = '';
    const started = Date.now();
    const r = await runDemo({ cli: runCli, out: (t) => void (text += t), now: () => T0 + (Date.now() - started) });
    expect(r.exitCode, text).toBe(0);
    // Day 1: all four tools captured, seeded silently; comments, no messages.
    for (const name of ['github-acme', 'jira-acme', 'slack-acme', 'notion-acme']) expect(text).toMatch(new RegExp(`${name}: first sync \\(seeded silently\\)`));
    expect(text).toMatch(/Captured \d+ tasks: 5 from GitHub, \d+ from Jira, 2 from Slack, 4 from Notion\./);
    expect(text).toMatch(/OPS-12 \(Jira\): Migrate DNS records for client A\n {2}owner Alex Kim · due 2026-11-26[^\n]*\n {2}warning {2}blocked {12}blocked by acme\/infra#12 \(GitHub\)/);
    expect(text).toMatch(/acme\/infra#12 \(GitHub\): Open firewall rule for DNS cutover\n {2}owner nobody/);
    expect(text).toMatch(/OPS-14 \(Jira\): Add health checks\n[^\n]*\n {2}warning {2}done_unverified {4}done 1 day ago and nobody has verified it — Priya Nair asked for it/);
    expect(text).toMatch(/The first sync seeds silently/);
    // The morning: Priya's verification resolved OPS-14, Alex owns the firewall rule, the 9 PM capture went to triage.
    expect(text).toMatch(/resolved {2}OPS-14 \(Jira\) +done_unverified/);
    expect(text).toMatch(/resolved {2}acme\/infra#12 \(GitHub\) +no_owner/);
    expect(text).toMatch(/→ Slack post in #platform-team — 2 tasks without one owner\n {4}│ \*Triage for Platform\*[^\n]*\n {4}│ - Please move the DNS cutover \(Email\): nobody owns this task[^\n]*\n {4}│ - \[the nightly backup job failed again/);
    // The client's email at 17:40: captured from the mailbox, flagged, acknowledged by email (threaded, once).
    expect(text).toMatch(/email-acme: first sync \(seeded silently\)/);
    expect(text).toMatch(/new {7}“Please move the DNS cutover” \(Email\) +no_owner/);
    expect(text).toMatch(/→ Email to clara@client-a\.example — request captured: acknowledged\n {4}│ Hello Clara,\n {4}│\n {4}│ We have your request "Please move the DNS cutover": it is with the team, due Tue 1 Dec\./);
    // Overnight the forecast turned on the firewall rule Alex now owns, due in a week: an early warning,
    // on the ticket's status comment, not a DM.
    const morning = text.slice(text.indexOf('━━ 5.'), text.indexOf('━━ 6.'));
    expect(morning).toMatch(/new {7}acme\/infra#12 \(GitHub\) +deadline_at_risk +high risk of missing Wed 2 Dec/);
    expect(morning).toMatch(/GitHub {2}acme\/infra#12 \(GitHub\) +1 open flag: deadline_at_risk/);
    expect(morning).not.toMatch(/→ Slack DM/);
    expect(text).toMatch(/at most 1 per ticket — edited in place/);
    // The report: Markdown on screen, HTML on disk.
    expect(text).toMatch(/# taskwire daily report — Wed 25 Nov/);
    // The backtest of the last quarter, with its goal stated.
    expect(text).toMatch(/\$ taskwire backtest\n {2}Backtest \d{4}-\d{2}-\d{2} → 2026-11-25/);
    expect(text).toMatch(/Goal \(task-days\): recall ≥ 80% at precision ≥ 70%/);
    expect(existsSync(r.htmlReport)).toBe(true);
    expect(readFileSync(r.htmlReport, 'utf8')).toMatch(/^<!doctype html>/);
  }, 60_000);
});

describe('taskwire demo --watch', () => {
  it('runs the daemon while the week plays out through signed webhooks, and says what taskwire did after each step', async () => {
    let text = '';
    const ac = new AbortController();
    const started = Date.now();
    const r = await runDemo({
      cli: runCli,
      out: (t) => {
        text += t;
        if (t.includes('That was the week')) ac.abort();
      },
      now: () => T0 + (Date.now() - started),
      watch: true,
      stepMs: 700,
      signal: ac.signal,
    });
    expect(r.exitCode, text).toBe(0);
    const week = text.slice(text.indexOf('━━ 8.'));
    expect(week).toMatch(/The board: {2}http:\/\/127\.0\.0\.1:\d+\/ {3}\(sign in with the API token sandbox-api-token-0123456789\)/);
    // The firewall rule closes: OPS-12 is unblocked and goes back to where it was before taskwire marked it.
    expect(week).toMatch(/Alex closes the firewall rule[^\n]*\n(?: {9}↳[^\n]*\n)*? {9}↳ taskwire: OPS-12 \(Jira\) moved to in_progress in Jira/);
    // The merged pull request moves OPS-12 to done in Jira, awaiting verification.
    expect(week).toMatch(/↳ taskwire: OPS-12 \(Jira\) moved to done in Jira — PR acme\/infra#\d+ merged by alexk/);
    // Alex's "[done]" reply to the client, read at once over IMAP IDLE (the poll interval is 5 minutes): the
    // task is done, and the client is asked to confirm — by email.
    expect(week).toMatch(/Alex replies to Clara Jones[\s\S]*↳ taskwire: email to clara@client-a\.example — work done: the requester is asked to confirm/);
    expect(week).toMatch(/stopped\./);
    await expectNoCommentChurn(join(r.dir, 'data/taskwire.db'));
  }, 90_000);
});

/**
 * Over the install day, the night, the morning and the week: every version of a status comment that
 * went out differs from the one before in what a reader cares about — its flags, or the task's status,
 * owner or due date moved in between (a risk level is in the flags' reasons) — and no comment went back
 * to the flags it had two versions ago within COMMENT_SETTLE_MS.
 */
async function expectNoCommentChurn(dbFile: string): Promise<void> {
  const store = SqliteStore.open(dbFile);
  try {
    const sent = (await store.outbox.list({})).filter((r) => r.kind === 'status_comment' && r.status === 'sent' && r.taskId !== null);
    const byTask = new Map<string, typeof sent>();
    for (const r of sent) byTask.set(r.taskId!, [...(byTask.get(r.taskId!) ?? []), r]);
    const codes = (r: (typeof sent)[number]) => r.about.map((a) => a.code).sort().join(',');
    let versions = 0;
    for (const [taskId, rows] of byTask) {
      rows.sort((a, b) => a.id - b.id);
      const history = await store.history(taskId);
      for (let i = 1; i < rows.length; i++) {
        versions++;
        const [before, now] = [rows[i - 1]!, rows[i]!];
        const moved = history.some((h) => ['status', 'assignees', 'owner', 'due'].includes(h.field) && h.at > before.createdAt && h.at <= now.createdAt);
        expect(codes(now) !== codes(before) || moved || codes(now).includes('deadline_at_risk'), `${taskId}: version ${i + 1} says what version ${i} said`).toBe(true);
        if (i >= 2 && codes(now) === codes(rows[i - 2]!)) expect(Date.parse(now.createdAt) - Date.parse(rows[i - 2]!.createdAt), `${taskId}: flipped back`).toBeGreaterThanOrEqual(COMMENT_SETTLE_MS);
      }
    }
    expect(byTask.size).toBeGreaterThan(3);
    expect(versions).toBeGreaterThan(0); // the week changes some comments: the check saw edits
  } finally {
    await store.close();
  }
}
