/** The `email` connector's config entry. Keys are documented in config/taskwire.example.yaml. */
import { z } from 'zod';
import { PRIORITIES } from '../../src/core/model.js';
import { connectorBaseShape, duration, secret } from '../../src/config/fields.js';

const address = z.string().regex(/^[^\s@]+@[^\s@]+$/, { message: 'must be an email address such as alice@acme.com' }).transform((s) => s.toLowerCase());
const domain = z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { message: 'must be a domain such as acme.com' }).transform((s) => s.toLowerCase());

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a regular expression' },
);

const host = z.string().min(1).regex(/^[^\s/:]+$/, { message: 'must be a host name, without scheme or port' });

const smtp = z
  .strictObject({
    host,
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (465); false: STARTTLS when offered (587). */
    secure: z.boolean().default(false),
    requireTls: z.boolean().default(true).meta({ description: 'refuse to send when the server does not offer STARTTLS (port 587)' }),
    user: z.string().min(1).optional().meta({ description: 'defaults to the IMAP user' }),
    password: secret().optional().meta({ description: 'defaults to the IMAP password' }),
    from: address.optional().meta({ description: 'the address replies come from; defaults to the IMAP user' }),
    fromName: z.string().min(1).default('taskwire'),
  })
  .meta({ description: 'where replies to requesters are sent (writes.acknowledge / writes.statusReply)' });

export const emailConfigSchema = z
  .strictObject({
    ...connectorBaseShape,
    type: z.literal('email'),
    host,
    port: z.number().int().min(1).max(65535).default(993),
    /** true: TLS from the first byte (993); false: STARTTLS, required unless `allowPlaintext`. */
    tls: z.boolean().default(true),
    allowPlaintext: z.boolean().default(false).meta({ description: 'allow a connection with no TLS at all (a server on loopback only)' }),
    user: z.string().min(1),
    password: secret().optional(),
    accessToken: secret().optional().meta({ description: 'OAuth2 access token (XOAUTH2 / OAUTHBEARER), read once at start; for a token that expires use accessTokenPath' }),
    accessTokenPath: z.string().min(1).optional().meta({ description: 'a file holding the current OAuth2 access token, kept fresh by another process (a sidecar, a cron job): read again on every connection' }),
    folders: z.array(z.string().min(1)).min(1, { message: 'list at least one folder, e.g. INBOX' }).default(['INBOX']),
    sentFolder: z.string().min(1).default('Sent').meta({ description: 'where replies taskwire sends are filed, and looked for before a retry' }),
    backfillSince: duration().prefault('30d').meta({ description: 'how far back the first sync reads' }),
    idle: z.boolean().default(true).meta({ description: 'keep an IMAP IDLE connection open so new mail is read within seconds (polling stays the fallback)' }),
    markSeen: z.boolean().default(false).meta({ description: 'mark captured messages as read (off: taskwire reads with BODY.PEEK and changes nothing)' }),
    capture: z
      .strictObject({
        /** every: every new thread; match: only threads matching one of the rules below. */
        mode: z.enum(['every', 'match']).default('every'),
        senderDomains: z.array(domain).default([]),
        subject: regex.optional().meta({ description: 'a regular expression (case-insensitive) the subject matches' }),
        flag: z.string().min(1).optional().meta({ description: 'an IMAP flag or keyword a person sets (\\Flagged, or a label such as "task")' }),
      })
      .prefault({}),
    team: z
      .strictObject({
        addresses: z.array(address).default([]),
        domains: z.array(domain).default([]).meta({ description: 'everyone writing from these domains is on the team (not a requester)' }),
      })
      .prefault({}),
    owner: z
      .strictObject({
        /** A team member's own mailbox among the recipients makes them the owner. */
        mailboxes: z.array(address).default([]),
        /** support+alice@acme.com → the address for tag `alice`. */
        plusTags: z.record(z.string().min(1), address).default({}),
        firstReplier: z.boolean().default(true).meta({ description: 'whoever from the team replies first owns the thread' }),
      })
      .prefault({}),
    doneWords: z.array(z.string().min(1)).default(['[done]', 'resolved', 'fixed', 'completed']).meta({ description: "words in a team member's reply that mark the thread done" }),
    verifyWords: z.array(z.string().min(1)).default(['works', 'confirmed', 'looks good', 'all good', 'verified']).meta({ description: "words in the requester's reply after done that verify it" }),
    priorityWords: z.partialRecord(z.enum(PRIORITIES), z.array(z.string().min(1))).optional(),
    acceptanceCriteriaHeading: z.string().min(1).default('Acceptance criteria'),
    smtp: smtp.optional(),
    writes: z
      .strictObject({
        acknowledge: z.boolean().default(false).meta({ description: 'reply to the requester when a thread is captured' }),
        statusReply: z.boolean().default(false).meta({ description: 'reply to the requester when the work is done, asking them to confirm' }),
      })
      .prefault({}),
    timeout: duration().prefault('30s').meta({ description: 'how long a connection or a command may take' }),
  })
  .superRefine((c, ctx) => {
    if ([c.password, c.accessToken, c.accessTokenPath].filter((x) => x !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'give exactly one of password (or passwordFile), accessToken (or accessTokenFile) and accessTokenPath' });
    }
    if (c.capture.mode === 'match' && c.capture.senderDomains.length === 0 && c.capture.subject === undefined && c.capture.flag === undefined) {
      ctx.addIssue({ code: 'custom', path: ['capture', 'mode'], message: 'mode match needs at least one of senderDomains, subject or flag' });
    }
    if ((c.writes.acknowledge || c.writes.statusReply) && c.smtp === undefined) {
      ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'replies to requesters (writes.acknowledge / writes.statusReply) need an smtp section' });
    }
  });

export type EmailConfig = z.output<typeof emailConfigSchema>;
