/**
 * The email connector against a real IMAP server (Dovecot on loopback, a throwaway maildir) and a real
 * SMTP sink: threads, replies, UIDVALIDITY change, a malformed message, auto-replies, IDLE, replies to
 * requesters sent once. Polls go through the real pipeline into a SQLite store, so pages, cursors and
 * thread state are stored as the daemon stores them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailConfigSchema, type EmailConfig } from '../../../connectors/email/config.js';
import { createEmail, type EmailConnector } from '../../../connectors/email/connector.js';
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
  return emailConfigSchema.parse({
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
  });
}

function rig(over: Record<string, unknown> = {}) {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-email-')), 'tw.db'));
  const c = config(over);
  const connector = createEmail(c, { log: silentLog, timezone: 'Europe/Berlin', state: connectorState(store, c.name) }) as EmailConnector;
  const identity = buildIdentity({ people: [{ id: 'dana', name: 'Dana Ops', email: 'dana@acme.test', accounts: {} }], teams: [] });
  const poll = () => pollConnector(store, connector, identity, new AbortController().signal);
  const tasks = async () => (await store.listTasks()).filter((t) => t.connector === 'support');
  return { store, connector, poll, tasks, config: c };
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
