/**
 * Replies to requesters over SMTP (nodemailer), through the outbox. Each reply has a Message-ID derived
 * from the task and the stage (`<taskwire.<hash>@<from domain>>`): the idempotency key. It is sent, then
 * filed in the Sent folder; a retry (an earlier try may have gone out: a crash, a lost answer) first looks
 * for that Message-ID in the Sent folder and sends nothing when it is there. Threaded under the request
 * (In-Reply-To / References), marked `Auto-Submitted: auto-replied` (RFC 3834) so other robots do not
 * answer it, and never sent to an automated sender or to the team itself.
 */
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { ConnectorError } from '../../src/errors.js';
import type { OutboundAction } from '../../src/core/model.js';
import { networkFailure } from '../kit/http-policy.js';
import type { ConnectorState, WriteOptions, WriteResult } from '../port.js';
import type { ImapClient } from './client.js';
import type { EmailConfig } from './config.js';
import { cleanSubject, isTeam, OWN_ID_PREFIX, type ThreadSettings, type ThreadState } from './thread.js';

export interface WriteDeps {
  readonly config: EmailConfig;
  readonly imap: ImapClient;
  readonly state: ConnectorState;
  readonly settings: ThreadSettings;
}

/** The Message-ID of a reply: the same for the same task and stage, whatever try sends it. */
export function replyMessageId(taskKey: string, stage: string, fromAddress: string): string {
  const h = createHash('sha256').update(`${taskKey}\u0000${stage}`).digest('hex').slice(0, 24);
  return `${OWN_ID_PREFIX}${stage}.${h}@${fromAddress.slice(fromAddress.lastIndexOf('@') + 1)}`;
}

export async function writeEmail(deps: WriteDeps, action: OutboundAction, opts: WriteOptions = {}): Promise<WriteResult> {
  const { config } = deps;
  if (action.type !== 'requester_reply') throw new ConnectorError(config.name, `email cannot ${action.type.replace('_', ' ')} (only replies to requesters)`, { retryable: false });
  const smtp = config.smtp;
  if (smtp === undefined) throw new ConnectorError(config.name, 'no smtp section: replies cannot be sent', { retryable: false });
  const raw = await deps.state.get(`thread:${action.taskKey}`);
  if (raw === null) throw new ConnectorError(config.name, `thread ${action.taskKey} is not known`, { retryable: false });
  const t = JSON.parse(raw) as ThreadState;
  const to = t.requester?.address ?? null;
  if (to === null) return { externalId: null, leftAlone: 'the request has no sender to reply to' };
  if (t.automated !== null) return { externalId: null, leftAlone: `the requester is an automated sender (${t.automated})` };
  if (isTeam(to, deps.settings)) return { externalId: null, leftAlone: 'the requester is on the team' };
  const from = smtp.from ?? config.user.toLowerCase();
  const messageId = replyMessageId(action.taskKey, action.stage, from);
  if ((opts.attempt ?? 1) > 1 && (await alreadySent(deps, messageId, opts.signal))) return { externalId: messageId };
  const references = [t.root, ...t.seen.filter((id) => id !== t.root)].slice(-20);
  const mail = {
    from: { name: smtp.fromName, address: from },
    to: t.requester!.name ? { name: t.requester!.name, address: to } : to,
    subject: `Re: ${cleanSubject(t.subject) || '(no subject)'}`,
    text: action.body,
    messageId: `<${messageId}>`,
    inReplyTo: `<${t.seen.at(-1) ?? t.root}>`,
    references: references.map((id) => `<${id}>`),
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
  };
  const message = await new MailComposer(mail).compile().build();
  await send(config, smtp, to, from, message, deps.imap.accessToken(), opts.signal);
  // Filed where a retry looks for it (the Sent folder), as a mail client does. The reply went out
  // either way: a filing failure is not a failed write (it would be sent again).
  await deps.imap.session((c) => c.append(config.sentFolder, message, ['\\Seen']), opts.signal).catch(() => undefined);
  return { externalId: messageId };
}

async function alreadySent(deps: WriteDeps, messageId: string, signal?: AbortSignal): Promise<boolean> {
  return deps.imap.session(async (c) => {
    await c.mailboxOpen(deps.config.sentFolder, { readOnly: true });
    const hits = await c.search({ header: { 'message-id': `<${messageId}>` } }, { uid: true });
    return (hits || []).length > 0;
  }, signal);
}

/** SMTP sign-in: its own password, else the mailbox's password, else the mailbox's OAuth2 token (XOAUTH2). */
function smtpAuth(config: EmailConfig, smtp: NonNullable<EmailConfig['smtp']>, token: string | undefined) {
  const user = smtp.user ?? config.user;
  if (smtp.password !== undefined || token === undefined) return { user, pass: smtp.password ?? config.password ?? '' };
  return { type: 'OAuth2' as const, user, accessToken: token };
}

async function send(config: EmailConfig, smtp: NonNullable<EmailConfig['smtp']>, to: string, from: string, message: Buffer, token: string | undefined, signal?: AbortSignal): Promise<void> {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireTls,
    ignoreTLS: !smtp.secure && !smtp.requireTls,
    auth: smtpAuth(config, smtp, token),
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  });
  const onAbort = () => transport.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    await transport.sendMail({ envelope: { from, to: [to] }, raw: message });
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
    const net = networkFailure(err);
    const where = `${smtp.host}:${smtp.port}`;
    if (e.code === 'EAUTH') throw new ConnectorError(config.name, `SMTP login at ${where} was refused (${token !== undefined && smtp.password === undefined ? 'the OAuth2 access token' : 'smtp.user / smtp.password'})`, { retryable: false, cause: err });
    if (net) throw new ConnectorError(config.name, `unreachable — ${net.reason} at ${where}`, { retryable: true, network: net.code, cause: err });
    const permanent = e.responseCode !== undefined && e.responseCode >= 500;
    throw new ConnectorError(config.name, `SMTP at ${where}: ${e.response ?? e.message ?? String(err)}`, { retryable: !permanent, ...(e.responseCode !== undefined ? { status: e.responseCode } : {}), cause: err });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    transport.close();
  }
}
