/**
 * One IMAP message as the connector reads it: its headers, the text of its one readable body part (never
 * its attachments, which are only listed by name), and whether it came from a machine. A message that
 * does not parse is kept as far as it does, with the problem named — it never stops a poll.
 */
import { compile } from 'html-to-text';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';

export interface Address {
  readonly address: string;
  readonly name: string | null;
}

/** Why a message came from a machine rather than a person (RFC 3834 and common practice). */
export type Automated = 'auto-reply' | 'list' | 'no-reply';

export interface MailMessage {
  readonly folder: string;
  readonly uid: number;
  /** Without angle brackets; a message without one gets `uid.<uidvalidity>.<uid>@<folder>`. */
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly from: Address | null;
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly subject: string;
  /** ISO time: the Date header, else when the server received it. */
  readonly date: string;
  /** The body as plain text (HTML converted), quotes and signature included. */
  readonly text: string;
  readonly attachments: readonly string[];
  readonly automated: Automated | null;
  readonly flags: readonly string[];
  /** What could not be read (a broken header, an undecodable body), when something could not. */
  readonly problem: string | null;
}

/** The shape of imapflow's bodyStructure node, as far as it is read here. */
export interface BodyNode {
  readonly part?: string;
  readonly type: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly disposition?: string;
  readonly dispositionParameters?: Readonly<Record<string, string>>;
  readonly size?: number;
  readonly childNodes?: readonly BodyNode[];
}

/** The largest body part read; a longer one is cut (the task shows its start). */
export const MAX_TEXT_BYTES = 256 * 1024;

/**
 * Which part holds the text (text/plain preferred over text/html, never an attachment) and the names of
 * the attachments. `part` is the IMAP section (`1`, `1.2`); for a single-part message it is `1`.
 */
export function textPart(root: BodyNode | undefined): { part: string | null; html: boolean; attachments: string[] } {
  const attachments: string[] = [];
  let plain: string | null = null;
  let html: string | null = null;
  const walk = (n: BodyNode, inAttachedMessage: boolean) => {
    const name = n.dispositionParameters?.filename ?? n.parameters?.name ?? null;
    const attached = n.disposition?.toLowerCase() === 'attachment' || (n.disposition?.toLowerCase() === 'inline' && name !== null && !n.type.startsWith('text/'));
    if (n.childNodes && n.childNodes.length > 0) {
      for (const c of n.childNodes) walk(c, inAttachedMessage || n.type === 'message/rfc822');
      return;
    }
    if (attached || inAttachedMessage || !n.type.startsWith('text/')) {
      if (name !== null || attached) attachments.push(name ?? '(unnamed attachment)');
      else if (!n.type.startsWith('text/') && !n.type.startsWith('multipart/')) attachments.push(`(${n.type})`);
      return;
    }
    const section = n.part ?? '1';
    if (n.type === 'text/plain' && plain === null) plain = section;
    else if (n.type === 'text/html' && html === null) html = section;
  };
  if (root) walk(root, false);
  return { part: plain ?? html, html: plain === null && html !== null, attachments };
}

/** HTML as text: links kept as `label [url]`, images, scripts and styles dropped. No markup survives. */
export const htmlText: (html: string) => string = ((convert) => (html: string) => convert(html).trim())(
  // Compiled once: html-to-text builds its selector engine per options object.
  compile({
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
    ],
  }),
);

const bare = (id: string) => id.trim().replace(/^<|>$/g, '').trim();
const ids = (v: string | string[] | undefined): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : v.split(/\s+/)).map(bare).filter((s) => s.length > 0));

function addresses(v: AddressObject | AddressObject[] | undefined): Address[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  const out: Address[] = [];
  const add = (a: { address?: string; name?: string; group?: { address?: string; name?: string }[] }) => {
    if (a.group) for (const g of a.group) add(g);
    else if (a.address) out.push({ address: a.address.toLowerCase(), name: a.name ? a.name : null });
  };
  for (const o of list) for (const a of o.value) add(a);
  return out;
}

const header = (h: ReadonlyMap<string, HeaderValue>, name: string): string => {
  const v = h.get(name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
};

/** RFC 3834 Auto-Submitted, the headers vacation and bounce messages carry, mailing lists, no-reply senders. */
export function automatedBy(h: ReadonlyMap<string, HeaderValue>, from: Address | null, contentType: string): Automated | null {
  const auto = header(h, 'auto-submitted').toLowerCase().trim();
  if (auto !== '' && auto !== 'no') return 'auto-reply';
  if (h.has('x-autoreply') || h.has('x-autorespond')) return 'auto-reply';
  if (/^(auto_reply|junk)$/i.test(header(h, 'precedence').trim())) return 'auto-reply';
  if (/multipart\/report/i.test(contentType)) return 'auto-reply';
  // mailparser gathers List-Id, List-Unsubscribe … into one `list` header.
  if (h.has('list') || h.has('list-id') || h.has('list-unsubscribe') || /^(bulk|list)$/i.test(header(h, 'precedence').trim())) return 'list';
  if (from && /^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+.-]|@)/i.test(from.address)) return 'no-reply';
  return null;
}

export interface RawMessage {
  readonly folder: string;
  readonly uid: number;
  readonly uidValidity: string;
  readonly headers: Buffer;
  /** The text part's MIME headers and content (for a single-part message: the message's headers). */
  readonly partHeaders: Buffer | null;
  readonly partBody: Buffer | null;
  readonly html: boolean;
  readonly attachments: readonly string[];
  readonly flags: readonly string[];
  readonly internalDate: string;
}

const PARSE = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true } as const;

/** Headers and text of one message; whatever fails to parse is named in `problem`, the rest kept. */
export async function readMessage(raw: RawMessage): Promise<MailMessage> {
  const problems: string[] = [];
  const cut = raw.partBody !== null && raw.partBody.length > MAX_TEXT_BYTES;
  const body = raw.partBody === null ? null : cut ? raw.partBody.subarray(0, MAX_TEXT_BYTES) : raw.partBody;
  // A single-part message is its own text part: one parse reads headers and text together.
  const single = body !== null && raw.partHeaders === raw.headers;
  let head: Awaited<ReturnType<typeof simpleParser>> | null = null;
  try {
    head = await simpleParser(single ? Buffer.concat([raw.headers, body]) : Buffer.concat([raw.headers, Buffer.from('\r\n')]), PARSE);
  } catch (err) {
    problems.push(`headers could not be read (${(err as Error).message})`);
  }
  let text = '';
  if (body !== null) {
    try {
      const part = single && head !== null ? head : await simpleParser(Buffer.concat([raw.partHeaders ?? Buffer.from('Content-Type: text/plain\r\n\r\n'), body]), PARSE);
      text = raw.html || (part.text ?? '').trim() === '' ? (part.html ? htmlText(part.html) : (part.text ?? '')) : (part.text ?? '');
      if (cut) problems.push(`body cut at ${MAX_TEXT_BYTES / 1024} KiB`);
    } catch (err) {
      problems.push(`body could not be read (${(err as Error).message})`);
    }
  }
  const h = head?.headers ?? new Map<string, HeaderValue>();
  const from = addresses(head?.from)[0] ?? null;
  const date = head?.date && !Number.isNaN(head.date.getTime()) ? head.date.toISOString() : raw.internalDate;
  const messageId = head?.messageId ? bare(head.messageId) : `uid.${raw.uidValidity}.${raw.uid}@${raw.folder.toLowerCase()}`;
  return {
    folder: raw.folder,
    uid: raw.uid,
    messageId,
    inReplyTo: ids(head?.inReplyTo)[0] ?? null,
    references: ids(head?.references),
    from,
    to: addresses(head?.to),
    cc: addresses(head?.cc),
    subject: (head?.subject ?? '').trim(),
    date,
    text: text.replace(/\r\n/g, '\n').trim(),
    attachments: raw.attachments,
    automated: automatedBy(h, from, header(h, 'content-type')),
    flags: raw.flags,
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}
