/**
 * A fake SMTP server (smtp-server) on 127.0.0.1 for the sandbox and the demo: it checks the login, takes
 * every message and keeps it, parsed, for the demo's screens. Nothing is relayed anywhere.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SentMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly headers: ReadonlyMap<string, unknown>;
}

export class SmtpFake {
  readonly sent: SentMail[] = [];
  private server: SMTPServer | null = null;

  /** The OAuth2 token accepted over XOAUTH2 (besides the password), when set. */
  accessToken: string | undefined;

  constructor(private readonly auth: { user: string; password: string }) {}

  get port(): number {
    return (this.server?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      logger: false,
      authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
      onAuth: (a, _s, cb) => {
        const ok = a.username === this.auth.user && (a.method === 'XOAUTH2' ? this.accessToken !== undefined && a.accessToken === this.accessToken : a.password === this.auth.password);
        return ok ? cb(null, { user: a.username }) : cb(new Error('Invalid username or password'));
      },
      onData: (stream, session, cb) => {
        void simpleParser(stream).then((m) => {
          this.sent.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            messageId: m.messageId ?? null,
            inReplyTo: m.inReplyTo ?? null,
            headers: m.headers,
          });
          cb();
        }, cb);
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
