/**
 * Real mail servers for the email tests: Debian's Dovecot on loopback with a throwaway maildir (started
 * per test file, on a free port, stopped and removed after), and an SMTP sink (smtp-server) that keeps
 * what it receives. `.ci/run` installs dovecot-imapd; without it the suites fail saying so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort, until } from './daemon.js';

const DOVECOT = ['/usr/sbin/dovecot', '/usr/bin/dovecot'].find((p) => existsSync(p));

export interface Dovecot {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  /** Appends a raw message (as a delivery would) and returns its UID. */
  deliver(raw: string | Buffer, folder?: string, flags?: string[]): Promise<number>;
  imap<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T>;
  /** Gives a folder a new UIDVALIDITY (as a server migration or a restore does): doveadm. */
  renumber(folder: string): void;
  stop(): Promise<void>;
}

export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<Dovecot> {
  if (!DOVECOT) throw new Error('Dovecot is not installed (Debian: apt-get install dovecot-imapd; .ci/run installs it)');
  const user = opts.user ?? 'support@acme.test';
  const password = opts.password ?? 'mailbox-secret';
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-dovecot-'));
  const port = await freePort();
  // As root, mail is kept as `nobody` (Dovecot refuses uid 0); as anyone else, as that user.
  const root = process.getuid?.() === 0;
  const who = root ? { uid: 'nobody', gid: 'nogroup' } : { uid: String(process.getuid?.()), gid: String(process.getgid?.()) };
  for (const d of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, d));
  if (root) {
    chmodSync(dir, 0o755);
    for (const d of ['mail', 'home']) chownSync(join(dir, d), 65534, 65534);
  }
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`);
  const conf = `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = taskwire-test-${port}
protocols = imap
listen = 127.0.0.1
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u
${root ? 'default_login_user = dovenull\ndefault_internal_user = dovecot' : `default_login_user = ${process.env['USER'] ?? 'nobody'}\ndefault_internal_user = ${process.env['USER'] ?? 'nobody'}`}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${who.uid} gid=${who.gid} home=${dir}/home/%u
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  const proc: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  await until(() => listening(port), 10_000, () => `Dovecot to listen on ${port}`);
  const imap = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  return {
    port,
    user,
    password,
    dir,
    imap,
    deliver: (raw, folder = 'INBOX', flags = []) =>
      imap(async (c) => {
        const r = await c.append(folder, raw, flags);
        return Number((r as { uid?: number } | false) ? (r as { uid: number }).uid : 0);
      }),
    renumber(folder) {
      const r = spawnSync('doveadm', ['-c', join(dir, 'dovecot.conf'), 'mailbox', 'update', '-u', user, '--uid-validity', String(Math.floor(Date.now() / 1000) + Math.floor(Math.random() * 1e6)), folder], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`doveadm failed: ${r.stderr}`);
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export interface SmtpSink {
  readonly port: number;
  readonly received: { envelope: { from: string; to: string[] }; raw: Buffer; parsed: ParsedMail }[];
  stop(): Promise<void>;
}

/** An SMTP server on loopback that accepts any login (or refuses every one) and keeps every message. */
export async function startSmtpSink(opts: { refuseAuth?: boolean } = {}): Promise<SmtpSink> {
  const received: SmtpSink['received'] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, cb) => (opts.refuseAuth ? cb(new Error('Invalid username or password')) : cb(null, { user: 'taskwire' })),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          received.push({ envelope: { from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address) }, raw, parsed });
          cb();
        }, cb);
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A message as a mail client would write it (CRLF line ends). */
export function mail(h: { from: string; to?: string; subject: string; id: string; date?: string; inReplyTo?: string; references?: string[]; extra?: Record<string, string> }, body: string): string {
  const lines = [
    `From: ${h.from}`,
    `To: ${h.to ?? 'Support <support@acme.test>'}`,
    `Subject: ${h.subject}`,
    `Message-ID: <${h.id}>`,
    `Date: ${h.date ?? 'Fri, 27 Nov 2026 17:40:00 +0100'}`,
    ...(h.inReplyTo ? [`In-Reply-To: <${h.inReplyTo}>`] : []),
    ...(h.references ? [`References: ${h.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(h.extra ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
  ];
  return lines.join('\r\n').replace(/\r?\n/g, '\r\n');
}
