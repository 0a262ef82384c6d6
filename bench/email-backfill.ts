/**
 * Email: the first sync of a mailbox of 20,000 messages (5,000 threads: a request and three replies
 * each; one message in ten HTML-only, one in ten with a 100 KiB PDF attached) from Debian's Dovecot on
 * loopback. The raw floor sends the same IMAP commands for the same messages with imapflow — headers,
 * structure and text parts, 200 at a time — and keeps nothing (no parsing, no threads, no store). The
 * measured side is the connector's poll through the pipeline into SQLite: MIME decoded, quotes and
 * signatures stripped, messages folded into threads (thread state read and written per page), tasks,
 * activity and cursor stored. A reference line shows what fetching whole messages would cost (the
 * attachments with them). Each side runs once untimed first (Dovecot's index and cache warm).
 */
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import pino from 'pino';
import { emailConfigSchema } from '../connectors/email/config.js';
import { createEmail } from '../connectors/email/connector.js';
import { fetchRaw, PAGE } from '../connectors/email/poll.js';
import { buildIdentity } from '../src/core/identity.js';
import { connectorState } from '../src/main.js';
import { pollConnector } from '../src/pipeline/poll.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { mail, startDovecot, type Dovecot } from '../test/support/mail.js';
import { report, time } from './harness.js';

/** 5,000 threads (20,000 messages); EMAIL_BENCH_THREADS=25000 for the 100,000-message run. */
const THREADS = Number(process.env['EMAIL_BENCH_THREADS'] ?? 5_000);
const PER_THREAD = 4;
const TOTAL = THREADS * PER_THREAD;
const PDF = Buffer.alloc(100 * 1024, 0x25).toString('base64').replace(/.{76}/g, '$&\r\n');

function message(t: number, k: number): string {
  const id = `t${t}-${k}@client.bench`;
  const day = new Date(Date.parse('2026-10-01T08:00:00Z') + t * 600_000 + k * 3_600_000).toUTCString().replace('GMT', '+0000');
  const fromTeam = k % 2 === 1;
  const h = { from: fromTeam ? `Dev ${t % 9} <dev${t % 9}@acme.bench>` : `Client ${t % 40} <c${t % 40}@client.bench>`, subject: `${k > 0 ? 'Re: ' : ''}Request ${t}: rotate the keys on host-${t % 300}`, id, date: day, ...(k > 0 ? { inReplyTo: `t${t}-${k - 1}@client.bench`, references: Array.from({ length: k }, (_, j) => `t${t}-${j}@client.bench`) } : {}) };
  const body = `${k === 0 ? `Hi team,\n\nplease rotate the keys on host-${t % 300} by Friday. See OPS-${t % 500}.\n\nAcceptance criteria:\n- new keys deployed\n\nBest,\nClient` : fromTeam ? 'On it, will report back.' : 'Thanks!'}\n\nOn Mon, Oct 5, 2026, someone wrote:\n> earlier text\n> more earlier text`;
  if ((t + k) % 10 === 3) {
    return mail({ ...h, extra: {} }, body).replace('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit', 'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit').replace(/\r\n\r\n([\s\S]*)$/, (_m, b: string) => `\r\n\r\n<html><body><p>${b.replace(/\r\n/g, '<br>')}</p></body></html>`);
  }
  if ((t + k) % 10 === 7) {
    const plain = mail(h, body);
    const [head, text] = [plain.slice(0, plain.indexOf('MIME-Version')), plain.slice(plain.indexOf('\r\n\r\n') + 4)];
    return `${head}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="bb"\r\n\r\n--bb\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--bb\r\nContent-Type: application/pdf; name="plan-${t}.pdf"\r\nContent-Disposition: attachment; filename="plan-${t}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${PDF}\r\n--bb--\r\n`;
  }
  return mail(h, body);
}

/** 20,000 messages written straight into the maildir (as a delivery agent would): faster than APPEND. */
function fill(d: Dovecot): void {
  const box = join(d.dir, 'mail', d.user);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(box, sub), { recursive: true });
  let n = 0;
  for (let t = 0; t < THREADS; t++) for (let k = 0; k < PER_THREAD; k++) writeFileSync(join(box, 'new', `${1_790_000_000 + n++}.M${n}P1.bench`), message(t, k));
  if (process.getuid?.() === 0) {
    for (const sub of ['', 'cur', 'new', 'tmp']) chownSync(join(box, sub), 65534, 65534);
  }
}

async function floorOnce(d: Dovecot, whole: boolean): Promise<{ ms: number; bytes: number }> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, auth: { user: d.user, pass: d.password }, logger: false, disableAutoIdle: true });
  await c.connect();
  let bytes = 0;
  const t = await time(async () => {
    await c.mailboxOpen('INBOX', { readOnly: true });
    const uids = ((await c.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    for (let i = 0; i < uids.length; i += PAGE) {
      const batch = uids.slice(i, i + PAGE);
      if (whole) {
        for await (const m of c.fetch(batch.join(','), { uid: true, source: true }, { uid: true })) bytes += m.source?.length ?? 0;
      } else {
        for (const r of await fetchRaw(c, 'INBOX', '1', batch)) bytes += r.headers.length + (r.partBody?.length ?? 0);
      }
    }
  });
  await c.logout();
  return { ms: t.ms, bytes };
}

export async function benchEmailBackfill(): Promise<void> {
  const dovecot = await startDovecot({ user: 'support@acme.bench', password: 'bench' });
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-email-'));
  const log = pino({ level: 'silent' });
  const identity = buildIdentity({ people: [], teams: [] });
  const config = emailConfigSchema.parse({ name: 'mail-bench', type: 'email', host: '127.0.0.1', port: dovecot.port, tls: false, allowPlaintext: true, user: dovecot.user, password: dovecot.password, backfillSince: '3650d', idle: false, team: { domains: ['acme.bench'] }, timeout: '60s' });
  try {
    fill(dovecot);
    await floorOnce(dovecot, false); // Dovecot indexes the maildir and caches what is asked
    const floor = await floorOnce(dovecot, false);
    const whole = await floorOnce(dovecot, true);

    let peakHeap = 0;
    const passOnce = async (file: string) => {
      const store = SqliteStore.open(join(dir, file));
      const connector = createEmail(config, { log, timezone: 'Europe/Berlin', state: connectorState(store, config.name) });
      const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
      const heapBefore = process.memoryUsage().heapUsed;
      const t = await time(() => pollConnector(store, connector, identity, new AbortController().signal));
      clearInterval(sampler);
      const tasks = (await store.listTasks()).length;
      await store.close();
      return { ms: t.ms, tasks, heapBefore };
    };
    await passOnce('warm.db');
    peakHeap = 0;
    const pass = await passOnce('tw.db');
    const rate = (ms: number) => (TOTAL / ms) * 1000;
    report(`email: first sync of a ${TOTAL / 1000}k-message mailbox (${THREADS / 1000}k threads) from Dovecot`, [
      { name: 'floor: same IMAP fetches (headers, structure, text parts)', value: rate(floor.ms), unit: 'messages/s' },
      { name: 'connector: poll into the store (threads, tasks)', value: rate(pass.ms), unit: 'messages/s' },
      { name: 'connector ÷ floor', value: rate(pass.ms) / rate(floor.ms), unit: '×' },
      { name: 'reference: whole messages fetched (attachments too)', value: rate(whole.ms), unit: 'messages/s' },
      { name: 'bytes fetched: text parts vs whole messages', value: floor.bytes / whole.bytes, unit: '×' },
      { name: 'tasks (one per thread)', value: pass.tasks, unit: 'tasks', goal: `= ${THREADS}`, met: pass.tasks === THREADS },
      { name: 'peak heap growth during the sync', value: (peakHeap - pass.heapBefore) / 2 ** 20, unit: 'MiB' },
    ]);
  } finally {
    await dovecot.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
