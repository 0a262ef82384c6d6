/**
 * The fake IMAP server against Dovecot: the same messages read by the same connector from both must
 * give the same tasks, and the fake answers the commands taskwire sends the way Dovecot does (UIDs,
 * structure, part sections, APPENDUID, IDLE).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../connectors/email/config.js';
import { createEmail } from '../../../connectors/email/connector.js';
import { ImapFake } from '../../../connectors/email/fake.js';
import { SmtpFake } from '../../../connectors/email/fake-smtp.js';
import { fetchRaw } from '../../../connectors/email/poll.js';
import type { SourceItem } from '../../../src/core/model.js';
import { silentLog } from '../../support/github.js';
import { mail, startDovecot, type Dovecot } from '../../support/mail.js';

const PDF = Buffer.alloc(3000, 1).toString('base64').replace(/.{76}/g, '$&\r\n');
const MESSAGES = [
  ...[1, 2, 3].map((n) => readFileSync(resolve(import.meta.dirname, `../../fixtures/email/rfc5322-a2-${n}.eml`), 'utf8')),
  mail({ from: 'Clara <clara@client.test>', subject: 'Please move the DNS cutover', id: 'dns@client.test' }, 'to Tuesday, urgent.\n\nAcceptance criteria:\n- resolves'),
  [
    'From: clara@client.test',
    'To: support@acme.test',
    'Subject: Firewall change',
    'Message-ID: <fw@client.test>',
    'Date: Fri, 27 Nov 2026 17:40:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: multipart/alternative; boundary="inner"',
    '',
    '--inner',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Open port 8443 for the caf=E9.',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Open port 8443</p>',
    '--inner--',
    '--outer',
    'Content-Type: application/pdf; name="cr.pdf"',
    'Content-Disposition: attachment; filename="cr.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    PDF,
    '--outer--',
    '',
  ].join('\r\n'),
];

let dovecot: Dovecot;
const fake = new ImapFake({ user: 'support@acme.test', password: 'pw', folders: { INBOX: MESSAGES.map((raw) => ({ raw })) } });
beforeAll(async () => {
  dovecot = await startDovecot({ user: 'support@acme.test', password: 'pw' });
  for (const m of MESSAGES) await dovecot.deliver(m);
  await fake.start();
});
afterAll(async () => {
  await Promise.all([dovecot?.stop(), fake.stop()]);
});

const connect = async (port: number) => {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'support@acme.test', pass: 'pw' }, logger: false, disableAutoIdle: true });
  await c.connect();
  return c;
};

async function pollAll(port: number): Promise<SourceItem[]> {
  const c = emailConfigSchema.parse({ name: 'support', type: 'email', host: '127.0.0.1', port, tls: false, allowPlaintext: true, user: 'support@acme.test', password: 'pw', backfillSince: '36500d', idle: false, team: { domains: ['example.net', 'acme.test'] } });
  const connector = createEmail(c, { log: silentLog, timezone: 'Europe/Berlin' });
  const items: SourceItem[] = [];
  for await (const page of connector.poll!(null, new AbortController().signal)) items.push(...page.items);
  return items;
}

describe('the fake IMAP server answers as Dovecot does', () => {
  it('the connector reads the same tasks from both', async () => {
    const tasks = (items: SourceItem[]) => items.flatMap((i) => (i.type === 'task' ? [i.task] : []));
    const [real, faked] = [await pollAll(dovecot.port), await pollAll(fake.port)];
    expect(tasks(faked)).toEqual(tasks(real));
    expect(tasks(real).map((t) => t.key)).toEqual(['1234@local.machine.example', 'dns@client.test', 'fw@client.test']);
    expect(tasks(real).find((t) => t.key === 'fw@client.test')!.description).toContain('Open port 8443 for the café.');
    // Only headers, structure and text parts were asked for: never a whole message, never the PDF (part 2).
    const fetches = fake.commands.filter((c) => c.startsWith('UID FETCH'));
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.filter((c) => /BODY(\.PEEK)?\[\]|BODY(\.PEEK)?\[2\]|RFC822[^.]/i.test(c))).toEqual([]);
  });

  it('structure, headers and text parts are byte for byte what Dovecot returns', async () => {
    const read = async (port: number) => {
      const c = await connect(port);
      await c.mailboxOpen('INBOX', { readOnly: true });
      const structures: unknown[] = [];
      for await (const m of c.fetch('1:*', { uid: true, bodyStructure: true }, { uid: true })) structures.push(m.bodyStructure);
      const raws = await fetchRaw(c, 'INBOX', '1', [1, 2, 3, 4, 5]);
      await c.logout();
      // \Recent belongs to the session that first sees a message (RFC 3501 §2.3.2): not compared.
      return { structures, raws: raws.map((r) => ({ ...r, internalDate: null, flags: r.flags.filter((f) => f !== '\\Recent') })) };
    };
    const [real, faked] = [await read(dovecot.port), await read(fake.port)];
    expect(faked.structures).toEqual(real.structures);
    expect(faked.raws).toEqual(real.raws);
  });

  it('search by SINCE, UID range, keyword and header; APPEND answers APPENDUID; IDLE hears new mail', async () => {
    const c = await connect(fake.port);
    const box = await c.mailboxOpen('INBOX');
    expect(box.uidNext).toBe(6);
    expect(await c.search({ uid: '4:*' }, { uid: true })).toEqual([4, 5]);
    expect(await c.search({ since: new Date('2026-01-01') }, { uid: true })).toEqual([4, 5]);
    expect(await c.search({ header: { 'message-id': '<dns@client.test>' } }, { uid: true })).toEqual([4]);
    await c.messageFlagsAdd('5', ['task'], { uid: true });
    expect(await c.search({ keyword: 'task' }, { uid: true })).toEqual([5]);
    const appended = await c.append('Sent', mail({ from: 'support@acme.test', subject: 'Re: x', id: 'sent-1@acme.test' }, 'ok'), ['\\Seen']);
    expect(appended).toMatchObject({ uid: 1 });
    let exists = 0;
    c.on('exists', () => exists++);
    const idle = c.idle();
    await new Promise((r) => setTimeout(r, 50));
    fake.deliver(mail({ from: 'clara@client.test', subject: 'New', id: 'new@client.test' }, 'x'));
    const until = Date.now() + 2000;
    while (exists === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(exists).toBe(1);
    await c.noop();
    await idle;
    await c.logout();
  });

  it('check --online: logs in, says what the server offers, names a folder that does not exist', async () => {
    const c = emailConfigSchema.parse({ name: 'support', type: 'email', host: '127.0.0.1', port: dovecot.port, tls: false, allowPlaintext: true, user: 'support@acme.test', password: 'pw', folders: ['INBOX', 'Tickets'], smtp: { host: '127.0.0.1', requireTls: false }, writes: { acknowledge: true } });
    const r = await createEmail(c, { log: silentLog, timezone: 'UTC' }).checkOnline!();
    expect(r.ok).toEqual([`logged in as support@acme.test at 127.0.0.1:${dovecot.port} (IDLE offered), CONDSTORE`, 'folder INBOX: present', 'folder Sent: present']);
    expect(r.problems).toEqual([expect.stringMatching(/^folders: Tickets does not exist in the mailbox \(folders present: .*INBOX/)]);
    const wrong = await createEmail({ ...c, password: 'nope' }, { log: silentLog, timezone: 'UTC' }).checkOnline!();
    expect(wrong.problems).toEqual([`support: IMAP login as support@acme.test at 127.0.0.1:${dovecot.port} failed: the password was refused (an account with two-factor sign-in needs an app password)`]);
  });

  it('an idle poll of a server without CONDSTORE reads one SEARCH per folder and yields no page', async () => {
    const c = emailConfigSchema.parse({ name: 'support', type: 'email', host: '127.0.0.1', port: fake.port, tls: false, allowPlaintext: true, user: 'support@acme.test', password: 'pw', backfillSince: '36500d', idle: false });
    const connector = createEmail(c, { log: silentLog, timezone: 'UTC' });
    let cursor: Record<string, unknown> | null = null;
    for await (const page of connector.poll!(null, new AbortController().signal)) cursor = page.cursor;
    const pages: unknown[] = [];
    for await (const page of connector.poll!(cursor, new AbortController().signal)) pages.push(page);
    expect(pages).toEqual([]);
  });

  it('refuses a wrong password the way IMAP servers do (AUTHENTICATIONFAILED)', async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port: fake.port, secure: false, auth: { user: 'support@acme.test', pass: 'nope' }, logger: false });
    await expect(c.connect()).rejects.toMatchObject({ authenticationFailed: true });
  });
});

describe('OAuth2: a token that expires, refreshed by another process into accessTokenPath', () => {
  it('is read again on every connection, for IMAP and SMTP; a refused token says which file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-oauth-'));
    const tokenFile = join(dir, 'imap-token');
    writeFileSync(tokenFile, 'ya29.first\n');
    const imap = new ImapFake({ user: 'support@acme.test', password: 'unused', accessToken: 'ya29.first', folders: { INBOX: [{ raw: mail({ from: 'clara@client.test', subject: 'Token test', id: 'tok@client.test' }, 'x') }] } });
    const smtp = new SmtpFake({ user: 'support@acme.test', password: 'unused' });
    await Promise.all([imap.start(), smtp.start()]);
    try {
      const c = emailConfigSchema.parse({ name: 'support', type: 'email', host: '127.0.0.1', port: imap.port, tls: false, allowPlaintext: true, user: 'support@acme.test', accessTokenPath: tokenFile, backfillSince: '36500d', idle: false, smtp: { host: '127.0.0.1', port: smtp.port, requireTls: false }, writes: { acknowledge: true } });
      const connector = createEmail(c, { log: silentLog, timezone: 'UTC' });
      const poll = async () => {
        for await (const page of connector.poll!(null, new AbortController().signal)) void page;
      };
      await poll();
      expect(imap.commands).toContain('AUTHENTICATE');
      // The provider rotates the token; the file still holds the old one: refused, naming the file.
      imap.setAccessToken('ya29.second');
      await expect(poll()).rejects.toMatchObject({ retryable: false, message: expect.stringContaining(`the access token in ${tokenFile} was refused`) });
      // The refresher writes the new token: the same connector signs in with it, no restart.
      writeFileSync(tokenFile, 'ya29.second\n');
      await poll();
      // SMTP signs in with the same token (XOAUTH2) when it has no password of its own.
      smtp.accessToken = 'ya29.second';
      const state = new Map<string, string>();
      const withState = createEmail(c, { log: silentLog, timezone: 'UTC', state: { get: async (k) => state.get(k) ?? null, set: async (k, v) => void state.set(k, v) } });
      for await (const page of withState.poll!(null, new AbortController().signal)) for (const i of page.items) if (i.type === 'state' && i.value !== null) state.set(i.key, i.value);
      await withState.write!({ type: 'requester_reply', taskKey: 'tok@client.test', stage: 'ack', body: 'We have it.' });
      expect(smtp.sent.map((m) => m.to)).toEqual([['clara@client.test']]);
      // A missing file is a clear error, not a crash.
      rmSync(tokenFile);
      await expect(poll()).rejects.toMatchObject({ message: expect.stringContaining(`accessTokenPath: cannot read the access token from ${tokenFile}`) });
    } finally {
      await Promise.all([imap.stop(), smtp.stop()]);
    }
  });
});
