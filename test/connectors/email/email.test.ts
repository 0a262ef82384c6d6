/**
 * The email connector against a real IMAP server (Dovecot on loopback, a throwaway maildir) and a real
 * SMTP sink: threads, replies, UIDVALIDITY change, a malformed message, auto-replies, IDLE, replies to
 * requesters sent once. Polls go through the real pipeline into a SQLite store, so pages, cursors and
 * thread state are stored as the daemon stores them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailConfigSchema, type EmailConfig } from '../../../connectors/email/config.js';
import { createEmail } from '../../../connectors/email/connector.js';
import { PAGE } from '../../../connectors/email/poll.js';
import type { PlannedAction } from '../../../src/core/planner.js';
import { dispatchDue } from '../../../src/pipeline/dispatch.js';
import { buildIdentity } from '../../../src/core/identity.js';
import { connectorState } from '../../../src/main.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { silentLog } from '../../support/github.js';
import { mail, startDovecot, startSmtpSink, type Dovecot, type SmtpSink } from '../../support/mail.js';

let dovecot: Dovecot;
let sink: SmtpSink;
beforeAll(async () => {
  [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
});
afterAll(async () => {
  await Promise.all([dovecot?.stop(), sink?.stop()]);
});

let folderSeq = 0;
let folder = 'INBOX';
beforeEach(async () => {
  // Each test reads a folder of its own, so tests never see each other's mail.
  folder = `T${++folderSeq}`;
  await dovecot.imap((c) => c.mailboxCreate(folder));
  sink.received.length = 0;
});

function config(over: Record<string, unknown> = {}): EmailConfig {
  return emailConfigSchema.parse(rawConfig(over));
}

function rawConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'support',
    type: 'email',
    host: '127.0.0.1',
    port: dovecot.port,
    tls: false,
    allowPlaintext: true,
    user: dovecot.user,
    password: dovecot.password,
    folders: [folder],
    backfillSince: '3650d',
    idle: false,
    team: { domains: ['acme.test'] },
    smtp: { host: '127.0.0.1', port: sink.port, requireTls: false, from: 'support@acme.test' },
    timeout: '5s',
    ...over,
  };
}

function rig(over: Record<string, unknown> = {}) {
  const path = join(mkdtempSync(join(tmpdir(), 'tw-email-')), 'tw.db');
  const store = SqliteStore.open(path);
  const c = config(over);
  const connector = createEmail(c, { log: silentLog, timezone: 'Europe/Berlin', state: connectorState(store, c.name) });
  const identity = buildIdentity({ people: [{ id: 'dana', name: 'Dana Ops', email: 'dana@acme.test', accounts: {} }], teams: [] });
  const poll = () => pollConnector(store, connector, identity, new AbortController().signal);
  const tasks = async () => (await store.listTasks()).filter((t) => t.connector === 'support');
  return { store, path, connector, poll, tasks, config: c };
}

const FRIDAY = 'Fri, 27 Nov 2026 17:40:00 +0100';

describe('email threads become tasks', () => {
  it('one task per thread: the request, a team reply (owner, in progress) and the requester, quotes and signature stripped', async () => {
    await dovecot.deliver(mail({ from: 'Clara Client <clara@client.test>', subject: 'Please move the DNS cutover', id: 'dns-1@client.test', date: FRIDAY }, 'Hi team,\n\nplease move the DNS cutover to Tuesday, urgent.\n\nAcceptance criteria:\n- api.client.test resolves to the new LB\n\nBest,\nClara\n-- \nClara Client | Client GmbH | +49 30 1234'), folder);
    await dovecot.deliver(mail({ from: 'Dana Ops <dana@acme.test>', to: 'clara@client.test', subject: 'Re: Please move the DNS cutover', id: 'dns-2@acme.test', inReplyTo: 'dns-1@client.test', references: ['dns-1@client.test'], date: 'Fri, 27 Nov 2026 18:05:00 +0100' }, "On it, I'll move it.\n\nOn Fri, Nov 27, 2026 at 17:40, Clara Client <clara@client.test> wrote:\n> please move the DNS cutover to Tuesday"), folder);
    const r = rig();
    await r.poll();
    const tasks = await r.tasks();
    expect(tasks).toHaveLength(1);
    const t = tasks[0]!;
    expect(t).toMatchObject({ key: 'dns-1@client.test', title: 'Please move the DNS cutover', status: 'in_progress', priority: 'urgent', due: '2026-12-01', type: 'message', kind: 'email', owner: 'dana' });
    expect(t.reporter).toMatchObject({ kind: 'email', id: 'clara@client.test', name: 'Clara Client' });
    expect(t.assignees).toEqual([{ kind: 'email', id: 'dana@acme.test', email: 'dana@acme.test', name: 'Dana Ops' }]);
    expect(t.acceptanceCriteria).toBe('- api.client.test resolves to the new LB');
    expect(t.description).not.toContain('Client GmbH'); // signature stripped
    expect(t.project).toBe('support@acme.test/' + folder);
    expect(t.lastHumanActivityAt).toBe('2026-11-27T17:05:00.000Z');
  });

  it('references to other tools in the text become dependencies and links; markSeen marks what was read', async () => {
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'Switch the MX records', id: 'mx-1@client.test' }, 'Blocked by OPS-12 until the zone is moved. Background: https://github.com/acme/infra/issues/14'), folder);
    const r = rig({ markSeen: true });
    await r.poll();
    const [t] = await r.tasks();
    expect(t!.dependsOn).toEqual(['jira:OPS-12']);
    expect(t!.links).toContain('https://github.com/acme/infra/issues/14');
    const flags = await dovecot.imap(async (c) => {
      await c.mailboxOpen(folder);
      return [...((await c.fetchOne('1', { flags: true }, { uid: true })) || { flags: new Set<string>() }).flags!];
    });
    expect(flags).toContain('\\Seen');
  });

  it('a reply read by a later poll joins its thread; done by the team, then verified by the requester', async () => {
    const r = rig();
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'Renew the TLS certificate', id: 'tls-1@client.test' }, 'The cert for shop.client.test expires soon.'), folder);
    await r.poll();
    expect((await r.tasks()).map((t) => t.status)).toEqual(['todo']);
    await dovecot.deliver(mail({ from: 'dana@acme.test', subject: 'Re: Renew the TLS certificate', id: 'tls-2@acme.test', inReplyTo: 'tls-1@client.test', references: ['tls-1@client.test'], date: 'Mon, 30 Nov 2026 10:00:00 +0100' }, 'Renewed and deployed. [done]'), folder);
    await r.poll();
    expect((await r.tasks()).map((t) => [t.status, t.doneAt])).toEqual([['done', '2026-11-30T09:00:00.000Z']]);
    // Outlook-style: In-Reply-To only, no References — found through the parent it names.
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'RE: Renew the TLS certificate', id: 'tls-3@client.test', inReplyTo: 'tls-2@acme.test', date: 'Mon, 30 Nov 2026 11:00:00 +0100' }, 'Thanks, works for us.\n\n-----Original Message-----\nFrom: dana@acme.test\nRenewed and deployed.'), folder);
    await r.poll();
    const [t] = await r.tasks();
    expect(t).toMatchObject({ status: 'verified', verifiedAt: '2026-11-30T10:00:00.000Z', verifiedBy: 'clara@client.test' });
    expect(await r.tasks()).toHaveLength(1);
  });

  it('HTML-only mail is read as text (no markup, no script); attachments are listed by name, never downloaded', async () => {
    const boundary = 'b1';
    const raw = [
      'From: clara@client.test',
      'To: support@acme.test',
      'Subject: Firewall change',
      'Message-ID: <fw-1@client.test>',
      `Date: ${FRIDAY}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Open <b>port 8443</b> for <a href="https://status.client.test">status</a>.</p></body></html>',
      `--${boundary}`,
      'Content-Type: application/pdf; name="change-request.pdf"',
      'Content-Disposition: attachment; filename="change-request.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(300_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await dovecot.deliver(raw, folder);
    const r = rig();
    await r.poll();
    const [t] = await r.tasks();
    expect(t!.description).toContain('Open port 8443 for status [https://status.client.test].');
    expect(t!.description).not.toMatch(/<|alert|color:red/);
    expect(t!.description).toContain('Attachments (not downloaded): change-request.pdf');
  });

  it('a malformed MIME message is captured as far as it parses, and the poll goes on to the next message', async () => {
    const broken = ['From: =?utf-8?B?broken', 'Subject: =?x-unknown?Q?Disk_full?=', 'Message-ID: <bad-1@client.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="nope"', 'Content-Transfer-Encoding: base64', '', '--other', 'Content-Type: text/plain; charset=bogus-charset', 'Content-Transfer-Encoding: base64', '', '!!!not base64 at all!!!', ''].join('\r\n');
    await dovecot.deliver(broken, folder);
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'VPN access for Max', id: 'vpn-1@client.test' }, 'Please give Max VPN access.'), folder);
    const r = rig();
    await r.poll();
    const tasks = await r.tasks();
    expect(tasks.map((t) => t.key).sort()).toEqual(['bad-1@client.test', 'vpn-1@client.test']);
  });

  it('automatic replies (vacation notices, bounces) are ignored; a mailing list is captured but marked an automated sender', async () => {
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'Backup restore test', id: 'bk-1@client.test' }, 'Can you run the restore test?'), folder);
    await dovecot.deliver(mail({ from: 'max@client.test', subject: 'Automatic reply: Backup restore test', id: 'ooo-1@client.test', inReplyTo: 'bk-1@client.test', references: ['bk-1@client.test'], extra: { 'Auto-Submitted': 'auto-replied' } }, 'I am out of office until Monday.'), folder);
    await dovecot.deliver(mail({ from: 'vacation@client.test', subject: 'Out of office', id: 'ooo-2@client.test', extra: { 'Auto-Submitted': 'auto-generated' } }, 'Away.'), folder);
    await dovecot.deliver(mail({ from: 'alerts@monitoring.test', subject: 'Disk 91% on db-2', id: 'list-1@monitoring.test', extra: { 'List-Id': '<alerts.monitoring.test>' } }, 'db-2 /var at 91%'), folder);
    const r = rig();
    await r.poll();
    const tasks = await r.tasks();
    expect(tasks.map((t) => [t.key, t.labels]).sort()).toEqual([
      ['bk-1@client.test', []],
      ['list-1@monitoring.test', ['automated-sender']],
    ]);
    const bk = tasks.find((t) => t.key === 'bk-1@client.test')!;
    expect(bk.updatedAt).toBe(bk.createdAt); // the vacation notice is not activity
  });

  it('capture rules: only matching senders or subjects, or what a person flags later', async () => {
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'Printer on 3rd floor', id: 'm-1@client.test' }, 'It jams.'), folder);
    await dovecot.deliver(mail({ from: 'newsletter@vendor.test', subject: 'Our new product', id: 'm-2@vendor.test' }, 'Buy.'), folder);
    await dovecot.deliver(mail({ from: 'someone@other.test', subject: '[Request] New laptop', id: 'm-3@other.test' }, 'For Max.'), folder);
    const uid = await dovecot.deliver(mail({ from: 'someone@other.test', subject: 'Question', id: 'm-4@other.test' }, 'Can you help?'), folder);
    const r = rig({ capture: { mode: 'match', senderDomains: ['client.test'], subject: '^\\[request\\]', flag: 'task' } });
    await r.poll();
    expect((await r.tasks()).map((t) => t.key).sort()).toEqual(['m-1@client.test', 'm-3@other.test']);
    await dovecot.imap(async (c) => {
      await c.mailboxOpen(folder);
      await c.messageFlagsAdd(String(uid), ['task'], { uid: true });
    });
    await r.poll();
    expect((await r.tasks()).map((t) => t.key).sort()).toEqual(['m-1@client.test', 'm-3@other.test', 'm-4@other.test']);
  });

  it('owner from the recipients: a team member’s mailbox or a +tag', async () => {
    await dovecot.deliver(mail({ from: 'clara@client.test', to: 'support+dana@acme.test', subject: 'Tagged', id: 'o-1@client.test' }, 'x'), folder);
    await dovecot.deliver(mail({ from: 'clara@client.test', to: 'support@acme.test, dana@acme.test', subject: 'Cc owner', id: 'o-2@client.test' }, 'y'), folder);
    const r = rig({ owner: { plusTags: { dana: 'dana@acme.test' }, mailboxes: ['dana@acme.test'] } });
    await r.poll();
    expect((await r.tasks()).map((t) => [t.key, t.owner])).toEqual([
      ['o-1@client.test', 'dana'],
      ['o-2@client.test', 'dana'],
    ]);
  });
});

describe('incremental, resumable, never twice', () => {
  it('nothing is marked read; an unchanged folder costs one SELECT (CONDSTORE); new mail is read from the last UID on', async () => {
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'A', id: 'inc-1@client.test' }, 'a'), folder);
    const r = rig();
    await r.poll();
    const cursor = (await r.store.getCursor('support')) as { folders: Record<string, { lastUid: number; modseq?: string }> };
    expect(cursor.folders[folder]).toMatchObject({ lastUid: 1 });
    expect(cursor.folders[folder]!.modseq).toMatch(/^\d+$/);
    const flags = await dovecot.imap(async (c) => {
      await c.mailboxOpen(folder);
      return [...((await c.fetchOne('1', { flags: true }, { uid: true })) || { flags: new Set<string>() }).flags!];
    });
    expect(flags).not.toContain('\\Seen');
    await r.poll();
    expect(await r.tasks()).toHaveLength(1);
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'B', id: 'inc-2@client.test' }, 'b'), folder);
    await r.poll();
    expect((await r.tasks()).map((t) => t.title).sort()).toEqual(['A', 'B']);
  });

  it('a new UIDVALIDITY (the server renumbered the folder) reads it again, with no duplicate task or activity', async () => {
    await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'Rotate keys', id: 'uv-1@client.test' }, 'please'), folder);
    await dovecot.deliver(mail({ from: 'dana@acme.test', subject: 'Re: Rotate keys', id: 'uv-2@acme.test', inReplyTo: 'uv-1@client.test', references: ['uv-1@client.test'] }, 'on it'), folder);
    const r = rig();
    await r.poll();
    const before = await r.tasks();
    const historyBefore = await r.store.history(before[0]!.id);
    dovecot.renumber(folder);
    await r.poll();
    const after = await r.tasks();
    expect(after).toHaveLength(1);
    expect(after[0]!.contentHash).toBe(before[0]!.contentHash);
    expect(await r.store.history(after[0]!.id)).toHaveLength(historyBefore.length);
    const cursor = (await r.store.getCursor('support')) as { folders: Record<string, { uidValidity: string }> };
    expect(cursor.folders[folder]!.uidValidity).not.toBe(((await r.store.getCursor('support')) as { folders: Record<string, { uidValidity: string }> }).folders['none']?.uidValidity);
  });
});

describe('replies to requesters over SMTP', () => {
  const ack = (key: string) => ({ type: 'requester_reply' as const, taskKey: key, stage: 'ack' as const, body: 'Hello Clara,\n\nWe have your request.' });

  it('threaded under the request, marked auto-replied, filed in Sent; a retry after the send finds it there and sends nothing', async () => {
    await dovecot.deliver(mail({ from: 'Clara Client <clara@client.test>', subject: 'Please move the DNS cutover', id: 'r-1@client.test' }, 'to Tuesday'), folder);
    const r = rig({ writes: { acknowledge: true } });
    await r.poll();
    const first = await r.connector.write!(ack('r-1@client.test'));
    expect(sink.received).toHaveLength(1);
    const sent = sink.received[0]!;
    expect(sent.envelope).toEqual({ from: 'support@acme.test', to: ['clara@client.test'] });
    expect(sent.parsed.subject).toBe('Re: Please move the DNS cutover');
    expect(sent.parsed.inReplyTo).toBe('<r-1@client.test>');
    expect(sent.parsed.references).toBe('<r-1@client.test>');
    expect(sent.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(sent.parsed.messageId).toBe(`<${first.externalId}>`);
    // The answer was lost (a crash after the send): the outbox tries again with attempt 2.
    const again = await r.connector.write!(ack('r-1@client.test'), { attempt: 2 });
    expect(again.externalId).toBe(first.externalId);
    expect(sink.received).toHaveLength(1);
    // Should the reply come back into the watched folder (the mailbox copied on it), the next poll
    // ignores it: it is marked auto-replied, so it is no one's activity and changes nothing.
    const [before] = await r.tasks();
    await dovecot.deliver(sent.raw, folder);
    await r.poll();
    const [t] = await r.tasks();
    expect(t).toMatchObject({ status: 'todo', updatedAt: before!.updatedAt, lastHumanActivityAt: before!.lastHumanActivityAt });
  });

  it('never to an automated sender, nor to the team', async () => {
    await dovecot.deliver(mail({ from: 'noreply@vendor.test', subject: 'Your invoice', id: 'nr-1@vendor.test' }, 'pay'), folder);
    await dovecot.deliver(mail({ from: 'dana@acme.test', subject: 'Internal: rotate keys', id: 'in-1@acme.test' }, 'todo'), folder);
    const r = rig({ writes: { acknowledge: true } });
    await r.poll();
    expect(await r.connector.write!(ack('nr-1@vendor.test'))).toMatchObject({ externalId: null, leftAlone: expect.stringContaining('automated sender') });
    expect(await r.connector.write!(ack('in-1@acme.test'))).toMatchObject({ externalId: null, leftAlone: expect.stringContaining('on the team') });
    expect(sink.received).toHaveLength(0);
  });

  it('an SMTP server that refuses the login is a permanent failure naming the setting', async () => {
    const refusing = await startSmtpSink({ refuseAuth: true });
    try {
      await dovecot.deliver(mail({ from: 'clara@client.test', subject: 'x', id: 'auth-1@client.test' }, 'y'), folder);
      const r = rig({ writes: { acknowledge: true }, smtp: { host: '127.0.0.1', port: refusing.port, requireTls: false, user: 'u', password: 'wrong' } });
      await r.poll();
      await expect(r.connector.write!(ack('auth-1@client.test'))).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('smtp.password') });
    } finally {
      await refusing.stop();
    }
  });
});

describe('IMAP IDLE', () => {
  it('new mail in any watched folder is announced within two seconds, without waiting for the poll interval', async () => {
    const second = `${folder}-projects`;
    await dovecot.imap((c) => c.mailboxCreate(second));
    const r = rig({ idle: true, folders: [folder, second] });
    let news = 0;
    await r.connector.watch!.start(() => news++);
    try {
      await new Promise((res) => setTimeout(res, 300)); // the IDLE connections are up
      for (const [n, where] of [[1, folder], [2, second]] as const) {
        const before = news;
        await dovecot.deliver(mail({ from: 'clara@client.test', subject: `Arrives now ${n}`, id: `idle-${n}@client.test` }, 'x'), where);
        const until = Date.now() + 2_000;
        while (news === before && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
        expect(news, where).toBeGreaterThan(before);
      }
    } finally {
      await r.connector.watch!.stop();
    }
  });
});

function child(env: Record<string, string>): Promise<NodeJS.Signals | null> {
  return new Promise((resolveSignal, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../../support/email-child.ts')], { env: { ...process.env, ...env }, stdio: 'inherit' });
    const timer = setTimeout(() => p.kill('SIGTERM'), 60_000);
    p.on('error', reject);
    p.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolveSignal(signal);
    });
  });
}

describe('kill -9', () => {
  it('mid-backfill, right after a page was stored: the next poll resumes after it, every thread once', async () => {
    const n = PAGE * 2 + 50;
    await dovecot.imap(async (c) => {
      for (let i = 1; i <= n; i++) await c.append(folder, mail({ from: `user${i % 7}@client.test`, subject: `Request ${i}`, id: `bf-${i}@client.test` }, `body ${i}`));
      // every tenth request gets a reply from the team
      for (let i = 10; i <= n; i += 10) await c.append(folder, mail({ from: 'dana@acme.test', subject: `Re: Request ${i}`, id: `bf-${i}-re@acme.test`, inReplyTo: `bf-${i}@client.test`, references: [`bf-${i}@client.test`] }, 'on it'));
    });
    const r = rig();
    const path = r.path;
    await r.store.close();
    expect(await child({ STORE: path, CONFIG: JSON.stringify({ ...rawConfig(), folders: [folder] }), MODE: 'poll', KILL_AFTER_PAGES: '1' })).toBe('SIGKILL');
    const reopened = SqliteStore.open(path);
    const cursor = (await reopened.getCursor('support')) as { folders: Record<string, { lastUid: number }> };
    expect(cursor.folders[folder]!.lastUid).toBe(PAGE); // the first page, and nothing after it
    expect((await reopened.listTasks()).length).toBeLessThanOrEqual(PAGE);
    const c = config();
    const email = createEmail(c, { log: silentLog, timezone: 'UTC', state: connectorState(reopened, c.name) });
    const fetched: number[] = [];
    const counting = { ...email, poll: async function* (cur: Parameters<NonNullable<typeof email.poll>>[0], sig: AbortSignal) {
      for await (const page of email.poll!(cur, sig)) {
        fetched.push(page.items.filter((i) => i.type === 'task').length);
        yield page;
      }
    } };
    await pollConnector(reopened, counting, buildIdentity({ people: [], teams: [] }), new AbortController().signal);
    const tasks = await reopened.listTasks();
    expect(tasks).toHaveLength(n);
    expect(new Set(tasks.map((t) => t.key)).size).toBe(n);
    expect(tasks.filter((t) => t.status === 'in_progress')).toHaveLength(n / 10);
    // The resumed poll read only what the killed one had not stored.
    const cursorAfter = (await reopened.getCursor('support')) as { folders: Record<string, { lastUid: number }> };
    expect(cursorAfter.folders[folder]!.lastUid).toBe(n + n / 10);
    expect(fetched.reduce((a, b) => a + b, 0)).toBeLessThan(n);
    await reopened.close();
  });

  it('after a reply reached the SMTP server, before the outbox recorded it: the restarted dispatcher finds it in Sent and sends nothing', async () => {
    await dovecot.deliver(mail({ from: 'Clara Client <clara@client.test>', subject: 'Crash test', id: 'crash-1@client.test' }, 'please'), folder);
    const r = rig({ writes: { acknowledge: true } });
    await r.poll();
    const action: PlannedAction = { key: 'reply:support:crash-1@client.test:ack', connector: 'support', kind: 'requester_reply', taskId: 'support:crash-1@client.test', recipient: 'clara@client.test', subject: 'reply:support:crash-1@client.test:ack', action: { type: 'requester_reply', taskKey: 'crash-1@client.test', stage: 'ack', body: 'We have it.' }, reason: 'ack', notBefore: null, about: [] };
    await r.store.outbox.plan([action], 'send', 'c1');
    const path = r.path;
    await r.store.close();
    expect(await child({ STORE: path, CONFIG: JSON.stringify({ ...rawConfig({ writes: { acknowledge: true } }), folders: [folder] }), MODE: 'dispatch' })).toBe('SIGKILL');
    expect(sink.received).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 10)); // the dead process's claim (1 ms) has run out
    const store = SqliteStore.open(path);
    const c = config({ writes: { acknowledge: true } });
    const email = createEmail(c, { log: silentLog, timezone: 'UTC', state: connectorState(store, c.name) });
    await dispatchDue({ store, connectors: new Map([['support', email]]), log: silentLog });
    expect(sink.received).toHaveLength(1);
    expect((await store.outbox.list()).map((x) => x.status)).toEqual(['sent']);
    await store.close();
  });
});

describe("RFC 5322's own reply example (Appendix A.2)", () => {
  it('the message, its reply and the reply to the reply are one thread: one task, the first sender its requester', async () => {
    for (const n of [1, 2, 3]) await dovecot.deliver(readFileSync(resolve(import.meta.dirname, `../../fixtures/email/rfc5322-a2-${n}.eml`)), folder);
    const r = rig({ team: { domains: ['example.net'] }, backfillSince: '36500d' });
    await r.poll();
    const tasks = await r.tasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ key: '1234@local.machine.example', title: 'Saying Hello', status: 'in_progress', createdAt: '1997-11-21T15:55:06.000Z', updatedAt: '1997-11-21T17:00:00.000Z' });
    expect(tasks[0]!.reporter).toMatchObject({ id: 'jdoe@machine.example', name: 'John Doe' });
    expect(tasks[0]!.assignees.map((a) => a.id)).toEqual(['mary@example.net']);
  });
});
