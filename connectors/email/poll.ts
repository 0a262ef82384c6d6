/**
 * The email poll: each watched folder read incrementally by UID under its UIDVALIDITY, in pages of
 * PAGE messages, each page stored with its cursor and the threads it touched before the next is read —
 * so a kill mid-backfill resumes after the last stored page, and nothing is counted twice.
 *
 * - First sync (or a folder whose UIDVALIDITY changed: the server renumbered it): every message since
 *   `backfillSince`, found with SEARCH SINCE, read a page at a time (never the whole mailbox at once).
 *   Threads dedupe by Message-ID, so a renumbered folder read again yields no duplicates.
 * - Later: only UIDs above the last one read. With CONDSTORE, a folder whose HIGHESTMODSEQ and UIDNEXT
 *   have not moved costs one SELECT and nothing else.
 * - `capture.flag`: messages a person flagged after they were read are captured on the next poll.
 * - Bodies are read with BODY.PEEK (nothing is marked read unless `markSeen`); only the text part is
 *   fetched, attachments are listed from BODYSTRUCTURE and never downloaded.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ActorKind, Cursor, SourceItem } from '../../src/core/model.js';
import type { ConnectorState } from '../port.js';
import type { ImapClient } from './client.js';
import type { EmailConfig } from './config.js';
import { readMessage, textPart, type BodyNode, type MailMessage, type RawMessage } from './mime.js';
import { captures, foldReply, isTeam, OWN_ID_PREFIX, startThread, threadRootOf, toTask, type ThreadSettings, type ThreadState } from './thread.js';

export const PAGE = 200;
/** A text part larger than this is not read (the task says so). */
const MAX_PART_BYTES = 4 * 1024 * 1024;

export interface FolderCursor {
  readonly uidValidity: string;
  readonly lastUid: number;
  readonly modseq?: string;
  /** UIDs (≤ lastUid) captured because a person flagged them. */
  readonly flagged?: readonly number[];
}

export interface EmailCursor extends Cursor {
  readonly folders: Readonly<Record<string, FolderCursor>>;
}

export interface PollDeps {
  readonly config: EmailConfig;
  readonly imap: ImapClient;
  readonly settings: ThreadSettings;
  readonly state: ConnectorState;
  readonly log: Logger;
  readonly now: () => number;
}

export async function* pollEmail(deps: PollDeps, cursor: Cursor | null, signal: AbortSignal): AsyncGenerator<{ items: SourceItem[]; cursor: Cursor }> {
  let folders: Record<string, FolderCursor> = { ...((cursor as EmailCursor | null)?.folders ?? {}) };
  const session = await deps.imap.open(signal);
  try {
    for (const folder of deps.config.folders) {
      for await (const page of pollFolder(deps, session.client, folder, folders[folder], signal)) {
        folders = { ...folders, [folder]: page.cursor };
        yield { items: page.items, cursor: { folders } };
        if (deps.config.markSeen && page.uids.length > 0) await session.client.messageFlagsAdd(page.uids.join(','), ['\\Seen'], { uid: true });
      }
    }
  } catch (err) {
    throw session.failed(err);
  } finally {
    await session.close();
  }
}

async function* pollFolder(deps: PollDeps, client: ImapFlow, folder: string, before: FolderCursor | undefined, signal: AbortSignal): AsyncGenerator<{ items: SourceItem[]; cursor: FolderCursor; uids: number[] }> {
  const box = await client.mailboxOpen(folder, { readOnly: !deps.config.markSeen });
  const uidValidity = String(box.uidValidity);
  let fc = before;
  if (fc && fc.uidValidity !== uidValidity) {
    deps.log.warn({ connector: deps.config.name, folder, was: fc.uidValidity, now: uidValidity }, 'UIDVALIDITY changed: the folder is read again (threads dedupe by Message-ID)');
    fc = undefined;
  }
  const modseq = box.highestModseq !== undefined ? String(box.highestModseq) : undefined;
  const lastUid = fc?.lastUid ?? 0;
  if (fc && modseq !== undefined && fc.modseq === modseq && box.uidNext <= lastUid + 1) return; // nothing moved
  const found = fc ? await client.search({ uid: `${lastUid + 1}:*` }, { uid: true }) : await client.search({ since: new Date(deps.now() - deps.config.backfillSince) }, { uid: true });
  // `n:*` always names the highest UID, even below n: only UIDs above the last one read count.
  const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
  let cursor: FolderCursor = { uidValidity, lastUid, ...(fc?.modseq !== undefined ? { modseq: fc.modseq } : {}), ...(fc?.flagged ? { flagged: fc.flagged } : {}) };
  for (let i = 0; i < uids.length; i += PAGE) {
    signal.throwIfAborted();
    const batch = uids.slice(i, i + PAGE);
    const raws = await fetchRaw(client, folder, uidValidity, batch);
    const items = await foldMessages(deps, await Promise.all(raws.map(readMessage)), new Set());
    cursor = { ...cursor, lastUid: batch.at(-1)! };
    yield { items, cursor, uids: batch };
  }
  const flaggedItems = await capturedByFlag(deps, client, folder, uidValidity, cursor);
  // Everything below UIDNEXT has been considered: the next poll starts there, and knows this MODSEQ.
  const last: FolderCursor = { ...cursor, lastUid: Math.max(cursor.lastUid, box.uidNext - 1), ...(modseq !== undefined ? { modseq } : {}), ...(flaggedItems ? { flagged: flaggedItems.flagged } : {}) };
  // An idle poll writes nothing: a last page only when it carries items or moves the cursor.
  const items = flaggedItems?.items ?? [];
  if (items.length > 0 || JSON.stringify(last) !== JSON.stringify(before)) yield { items, cursor: last, uids: [] };
}

/** Messages a person flagged (capture.flag) since they were read: captured now. */
async function capturedByFlag(deps: PollDeps, client: ImapFlow, folder: string, uidValidity: string, cursor: FolderCursor): Promise<{ items: SourceItem[]; flagged: number[] } | null> {
  const flag = deps.config.capture.flag;
  if (flag === undefined || deps.config.capture.mode === 'every') return null;
  const query = flag.toLowerCase() === '\\flagged' ? { flagged: true } : { keyword: flag };
  const hits = ((await client.search(query, { uid: true })) || []).filter((u) => u <= cursor.lastUid);
  const known = new Set(cursor.flagged ?? []);
  const fresh = hits.filter((u) => !known.has(u)).sort((a, b) => a - b);
  if (fresh.length === 0) return { items: [], flagged: hits };
  const raws = await fetchRaw(client, folder, uidValidity, fresh);
  const msgs = await Promise.all(raws.map(readMessage));
  return { items: await foldMessages(deps, msgs, new Set(msgs.map((m) => m.messageId))), flagged: hits };
}

interface Meta {
  readonly uid: number;
  readonly headers: Buffer;
  readonly flags: string[];
  readonly internalDate: string;
  readonly part: string | null;
  readonly single: boolean;
  readonly html: boolean;
  readonly attachments: string[];
  readonly tooLarge: boolean;
}

/** Headers, flags and structure of a page of messages, then only their text parts (one FETCH per part number). */
export async function fetchRaw(client: ImapFlow, folder: string, uidValidity: string, uids: readonly number[]): Promise<RawMessage[]> {
  const metas: Meta[] = [];
  for await (const m of client.fetch(uids.join(','), { uid: true, flags: true, internalDate: true, headers: true, bodyStructure: true }, { uid: true })) {
    const root = m.bodyStructure as BodyNode | undefined;
    const chosen = textPart(root);
    const node = chosen.part !== null ? findPart(root, chosen.part) : undefined;
    metas.push({
      uid: m.uid,
      headers: m.headers ?? Buffer.alloc(0),
      flags: [...(m.flags ?? [])],
      internalDate: m.internalDate instanceof Date ? m.internalDate.toISOString() : new Date(m.internalDate ?? 0).toISOString(),
      part: chosen.part,
      single: !root?.childNodes || root.childNodes.length === 0,
      html: chosen.html,
      attachments: chosen.attachments,
      tooLarge: (node?.size ?? 0) > MAX_PART_BYTES,
    });
  }
  const bodies = new Map<number, { head: Buffer | null; body: Buffer }>();
  const groups = new Map<string, number[]>();
  for (const m of metas) {
    if (m.part === null || m.tooLarge) continue;
    const key = `${m.single ? 's' : 'm'}${m.part}`;
    groups.set(key, [...(groups.get(key) ?? []), m.uid]);
  }
  for (const [key, list] of groups) {
    const single = key.startsWith('s');
    const part = key.slice(1);
    const parts = single ? [part] : [part, `${part}.MIME`];
    for await (const m of client.fetch(list.join(','), { uid: true, bodyParts: parts }, { uid: true })) {
      const body = m.bodyParts?.get(part.toLowerCase()) ?? m.bodyParts?.get(part);
      if (!body) continue;
      bodies.set(m.uid, { head: single ? null : (m.bodyParts?.get(`${part}.mime`) ?? m.bodyParts?.get(`${part}.MIME`) ?? null), body });
    }
  }
  return metas
    .sort((a, b) => a.uid - b.uid)
    .map((m) => {
      const b = bodies.get(m.uid);
      return {
        folder,
        uid: m.uid,
        uidValidity,
        headers: m.headers,
        partHeaders: b ? (b.head ?? m.headers) : null,
        partBody: b?.body ?? (m.tooLarge ? Buffer.from('(the message text is larger than 4 MiB and was not read)') : null),
        html: m.html,
        attachments: m.attachments,
        flags: m.flags,
        internalDate: m.internalDate,
      };
    });
}

function findPart(root: BodyNode | undefined, part: string): BodyNode | undefined {
  if (!root) return undefined;
  if ((root.part ?? '1') === part && (!root.childNodes || root.childNodes.length === 0)) return root;
  for (const c of root.childNodes ?? []) {
    const f = findPart(c, part);
    if (f) return f;
  }
  return undefined;
}

/**
 * Messages folded into their threads (read from and written to the connector's state), as the items of
 * one page: each touched thread's state and task, then the activity. `force`: Message-IDs captured
 * whatever the capture rules say (a person flagged them).
 */
export async function foldMessages(deps: Pick<PollDeps, 'settings' | 'state'>, msgs: readonly MailMessage[], force: ReadonlySet<string>): Promise<SourceItem[]> {
  const s = deps.settings;
  const threads = new Map<string, ThreadState | null>();
  const load = async (root: string): Promise<ThreadState | null> => {
    if (!threads.has(root)) {
      const raw = await deps.state.get(`thread:${root}`);
      threads.set(root, raw === null ? null : (JSON.parse(raw) as ThreadState));
    }
    return threads.get(root)!;
  };
  const touched = new Map<string, { actor: ActorKind; actorId: string | null }>();
  const aliases: [string, string][] = [];
  const activity: SourceItem[] = [];
  for (const m of msgs) {
    if (m.automated === 'auto-reply') continue; // vacation notices and bounces are nobody's work
    let root = threadRootOf(m);
    let t = await load(root);
    if (t === null && m.inReplyTo !== null) {
      // A reply whose client sent In-Reply-To but no References: the thread is found through its parent.
      const via = (await deps.state.get(`alias:${m.inReplyTo}`)) ?? aliases.find(([id]) => id === m.inReplyTo)?.[1] ?? null;
      if (via !== null) {
        root = via;
        t = await load(via);
      }
    }
    const from = m.from?.address ?? null;
    const actor: ActorKind = m.messageId.startsWith(OWN_ID_PREFIX) ? 'taskwire' : m.automated !== null ? 'bot' : 'human';
    if (t === null) {
      const isReply = m.inReplyTo !== null || m.references.length > 0;
      // A reply to a thread never captured starts one only when its sender is not on the team.
      const starts = force.has(m.messageId) || (captures(m, s) && !(isReply && from !== null && isTeam(from, s)) && actor !== 'taskwire');
      if (!starts) continue;
      t = startThread(m, s);
      root = t.root;
    } else {
      const r = foldReply(t, m, s);
      if (r === null) continue;
      t = r.thread;
      activity.push(r.activity);
    }
    threads.set(root, t);
    touched.set(root, { actor, actorId: from });
    if (m.messageId !== root) aliases.push([m.messageId, root]);
  }
  const items: SourceItem[] = [];
  for (const [root, by] of touched) {
    const t = threads.get(root)!;
    items.push({ type: 'state', key: `thread:${root}`, value: JSON.stringify(t) });
    items.push({ type: 'task', task: toTask(t, s), actor: by.actor, ...(by.actorId !== null ? { actorId: by.actorId } : {}) });
  }
  for (const [id, root] of aliases) items.push({ type: 'state', key: `alias:${id}`, value: root });
  return [...items, ...activity];
}
