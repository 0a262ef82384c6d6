/**
 * Email → canonical, pure. One task per thread (Message-ID / In-Reply-To / References), not per message:
 * the first message is the request and its sender the requester; replies are activity. A thread's
 * state is kept as the connector's own state (`thread:<root id>`), written with the page that read
 * the message, so a thread read over many polls — or again after a UIDVALIDITY change — folds every
 * message in once.
 *
 * Status from the conversation: a team member's reply → in progress; one saying it is done (doneWords)
 * → done; the requester's reply after that saying it works (verifyWords) → verified, or any other
 * reply from them → back in progress. Automatic replies (vacation notices, bounces) are ignored.
 */
import EmailReplyParser from 'email-reply-parser';
import { AUTOMATED_SENDER_LABEL, type AccountRef, type ActorKind, type Priority, type SourceItem, type TaskFields, type TaskStatus } from '../../src/core/model.js';
import { shorten } from '../../src/core/labels.js';
import { findReferences, sectionUnder } from '../../src/core/text.js';
import { dueFromText, priorityFromText } from '../kit/text-dates.js';
import type { Address, Automated, MailMessage } from './mime.js';

export interface ThreadSettings {
  readonly timezone: string;
  /** The mailbox's own address and the SMTP from address: what taskwire sends is its own. */
  readonly ownAddresses: ReadonlySet<string>;
  readonly teamAddresses: ReadonlySet<string>;
  readonly teamDomains: readonly string[];
  readonly ownerMailboxes: ReadonlySet<string>;
  readonly plusTags: Readonly<Record<string, string>>;
  readonly firstReplier: boolean;
  readonly capture: { readonly mode: 'every' | 'match'; readonly senderDomains: readonly string[]; readonly subject?: RegExp | undefined; readonly flag?: string | undefined };
  readonly doneWords: readonly string[];
  readonly verifyWords: readonly string[];
  readonly priorityWords: Readonly<Record<Priority, readonly string[]>>;
  readonly acceptanceCriteriaHeading: string;
  /** The mailbox, shown as the task's project (`support@acme.com`, or `support@acme.com/Projects`). */
  readonly mailbox: string;
}

/** What is kept of a thread between polls. */
export interface ThreadState {
  readonly root: string;
  readonly folder: string;
  readonly subject: string;
  readonly requester: Address | null;
  readonly createdAt: string;
  /** The request's text, quotes and signature removed. */
  readonly text: string;
  readonly attachments: readonly string[];
  /** The request's recipients (for owner mailboxes and +tags). */
  readonly recipients: readonly string[];
  readonly automated: Automated | null;
  /** Every message folded in (by Message-ID), so none is counted twice. */
  readonly seen: readonly string[];
  readonly owner: Address | null;
  readonly status: TaskStatus;
  readonly doneAt: string | null;
  readonly verifiedAt: string | null;
  readonly verifiedBy: string | null;
  readonly lastAt: string;
  readonly lastHumanAt: string | null;
  readonly problem: string | null;
}

/** The id of the thread a message belongs to: the first of its References, else what it replies to, else its own. */
export const threadRootOf = (m: Pick<MailMessage, 'messageId' | 'inReplyTo' | 'references'>): string => m.references[0] ?? m.inReplyTo ?? m.messageId;

/** Message-IDs of what taskwire sends start with this, so its own mail is known when read back. */
export const OWN_ID_PREFIX = 'taskwire.';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

export function isTeam(address: string, s: ThreadSettings): boolean {
  const d = domainOf(address);
  return s.teamAddresses.has(address) || s.ownAddresses.has(address) || s.teamDomains.some((t) => d === t || d.endsWith(`.${t}`));
}

/** Whether a message starts a thread worth a task (the capture rules), or why not. */
export function captures(m: MailMessage, s: ThreadSettings): boolean {
  if (s.capture.mode === 'every') return true;
  const from = m.from?.address ?? '';
  const d = domainOf(from);
  if (s.capture.senderDomains.some((t) => d === t || d.endsWith(`.${t}`))) return true;
  if (s.capture.subject?.test(m.subject)) return true;
  return s.capture.flag !== undefined && m.flags.some((f) => f.toLowerCase() === s.capture.flag!.toLowerCase());
}

const SIGN_OFF = /^(best|best regards|kind regards|regards|many thanks|thanks|thank you|cheers|br|mfg|viele grüße|beste grüße|gruß|grüße|liebe grüße)[,.!]?$/i;

/** The visible text of a message: quoted replies, the signature and a closing sign-off ("Best,\nClara") removed. */
export function visibleText(text: string): string {
  if (text.trim() === '') return '';
  let visible: string;
  try {
    visible = new EmailReplyParser().read(text).getVisibleText().trim();
  } catch {
    visible = text.trim();
  }
  const lines = visible.split('\n');
  // A sign-off within the last three lines ends the text (the name under it goes with it).
  for (let i = Math.max(1, lines.length - 3); i < lines.length; i++) {
    if (SIGN_OFF.test(lines[i]!.trim())) return lines.slice(0, i).join('\n').trim();
  }
  return visible;
}

const hasWord = (text: string, words: readonly string[]) => {
  const lower = text.toLowerCase();
  return words.some((w) => new RegExp(`(^|[^\\w])${w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`).test(lower));
};

/** The owner a request names by its recipients: a team member's own mailbox, or a +tag. */
function ownerByRecipients(recipients: readonly string[], s: ThreadSettings): string | null {
  for (const r of recipients) if (s.ownerMailboxes.has(r)) return r;
  for (const r of recipients) {
    const tag = /^[^+@]+\+([^@]+)@/.exec(r)?.[1];
    if (tag !== undefined && s.plusTags[tag.toLowerCase()] !== undefined) return s.plusTags[tag.toLowerCase()]!;
  }
  return null;
}

/** A new thread from its first message (the request). */
export function startThread(m: MailMessage, s: ThreadSettings): ThreadState {
  const recipients = [...m.to, ...m.cc].map((a) => a.address);
  const owner = ownerByRecipients(recipients, s);
  const team = m.from !== null && isTeam(m.from.address, s);
  return {
    root: threadRootOf(m),
    folder: m.folder,
    subject: cleanSubject(m.subject),
    requester: m.from,
    createdAt: m.date,
    text: visibleText(m.text),
    attachments: m.attachments,
    recipients,
    automated: m.automated,
    seen: [m.messageId],
    owner: owner !== null ? { address: owner, name: null } : null,
    status: 'todo',
    doneAt: null,
    verifiedAt: null,
    verifiedBy: null,
    lastAt: m.date,
    lastHumanAt: m.automated === null || team ? m.date : null,
    problem: m.problem,
  };
}

/**
 * A later message of the thread folded in, and the activity it is. Null when it changes nothing: seen
 * before, or an automatic reply.
 */
export function foldReply(t: ThreadState, m: MailMessage, s: ThreadSettings): { thread: ThreadState; activity: SourceItem } | null {
  if (t.seen.includes(m.messageId) || m.automated === 'auto-reply') return null;
  const from = m.from?.address ?? null;
  const ours = m.messageId.startsWith(OWN_ID_PREFIX);
  const team = from !== null && isTeam(from, s);
  // The visible text is read only when the words in it matter (a team reply; the requester after done).
  const text = () => visibleText(m.text);
  let next: ThreadState = { ...t, seen: [...t.seen, m.messageId], lastAt: m.date > t.lastAt ? m.date : t.lastAt, problem: t.problem ?? m.problem };
  if (!ours && m.automated === null) next = { ...next, lastHumanAt: next.lastHumanAt === null || m.date > next.lastHumanAt ? m.date : next.lastHumanAt };
  if (ours) {
    // taskwire's own acknowledgement or status reply: activity, no change
  } else if (team && from !== null) {
    const owner = next.owner ?? (s.firstReplier ? { address: from, name: m.from?.name ?? null } : null);
    next = { ...next, owner };
    if (hasWord(text(), s.doneWords)) next = { ...next, status: 'done', doneAt: m.date, verifiedAt: null, verifiedBy: null };
    else if (next.status === 'todo') next = { ...next, status: 'in_progress' };
  } else if (from !== null && (next.status === 'done' || next.status === 'verified')) {
    if (hasWord(text(), s.verifyWords)) next = { ...next, status: 'verified', verifiedAt: m.date, verifiedBy: from };
    else next = { ...next, status: 'in_progress', doneAt: null, verifiedAt: null, verifiedBy: null };
  }
  const actor: ActorKind = ours ? 'taskwire' : m.automated !== null ? 'bot' : 'human';
  return {
    thread: next,
    activity: { type: 'activity', key: t.root, at: m.date, actor, ...(from ? { actorId: from } : {}), what: `email from ${from ?? 'an unknown sender'}` },
  };
}

/** `Re: Fwd: AW: DNS cutover` → `DNS cutover`. */
export function cleanSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(re|fwd?|aw|wg|sv|vs|tr|antw)\s*(\[\d+\])?\s*:\s*/i, '').trim();
    if (next === s) return s;
    s = next;
  }
}

const account = (a: Address): AccountRef => ({ kind: 'email', id: a.address, email: a.address, ...(a.name ? { name: a.name } : {}) });

/** A thread as a task. */
export function toTask(t: ThreadState, s: ThreadSettings): TaskFields {
  const words = `${t.subject}\n${t.text}`;
  const pr = priorityFromText(words, s.priorityWords);
  const refs = findReferences(t.text);
  const lines = [t.text, t.attachments.length > 0 ? `Attachments (not downloaded): ${t.attachments.join(', ')}` : '', t.problem ? `(${t.problem})` : ''].filter((x) => x !== '');
  const done = t.status === 'done' || t.status === 'verified';
  return {
    key: t.root,
    url: null,
    type: 'message',
    title: shorten(t.subject || t.text.split('\n')[0] || '(no subject)', 120),
    description: lines.join('\n\n') || null,
    status: t.status,
    rawStatus: null,
    priority: pr.priority,
    rawPriority: pr.raw,
    assignees: t.owner ? [account(t.owner)] : [],
    reporter: t.requester ? account(t.requester) : null,
    due: dueFromText(words, new Date(t.createdAt), s.timezone),
    acceptanceCriteria: sectionUnder(t.text, s.acceptanceCriteriaHeading),
    estimateS: null,
    spentS: null,
    remainingS: null,
    parent: null,
    dependsOn: refs.dependsOn,
    links: refs.links.filter((l) => !refs.dependsOn.includes(l)),
    labels: t.automated !== null ? [AUTOMATED_SENDER_LABEL] : [],
    project: t.folder.toUpperCase() === 'INBOX' ? s.mailbox : `${s.mailbox}/${t.folder}`,
    milestone: null,
    createdAt: t.createdAt,
    updatedAt: t.lastAt,
    lastHumanActivityAt: t.lastHumanAt,
    doneAt: done ? (t.doneAt ?? t.lastAt) : null,
    verifiedAt: t.status === 'verified' ? t.verifiedAt : null,
    verifiedBy: t.status === 'verified' ? t.verifiedBy : null,
  };
}
