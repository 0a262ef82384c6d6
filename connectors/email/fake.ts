/**
 * A fake IMAP server (RFC 3501) on 127.0.0.1 for the sandbox and the demo: one mailbox, its folders and
 * messages, and the commands taskwire uses — LOGIN, LIST, SELECT/EXAMINE, UID SEARCH (ALL, SINCE, UID,
 * KEYWORD, FLAGGED, HEADER), UID FETCH (UID, FLAGS, INTERNALDATE, BODYSTRUCTURE, BODY.PEEK[section]),
 * UID STORE, APPEND (LITERAL+, APPENDUID), IDLE (EXISTS as mail arrives), NOOP, LOGOUT. Messages are
 * parsed into their MIME structure (multipart included) so BODYSTRUCTURE and part sections answer as a
 * real server's do. The tests of the connector itself run against Dovecot; this fake is checked against
 * it (test/connectors/email/fake.test.ts) and serves what Dovecot cannot: a demo with nothing installed.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeMailMessage {
  readonly raw: string;
  readonly flags?: readonly string[];
  /** When the server received it (INTERNALDATE); default: the Date header, else now. */
  readonly receivedAt?: string;
}

export interface EmailScenario {
  readonly user: string;
  readonly password: string;
  /** Also accept this OAuth2 access token (AUTHENTICATE XOAUTH2, with SASL-IR). */
  readonly accessToken?: string;
  readonly folders: Readonly<Record<string, readonly FakeMailMessage[]>>;
}

interface Stored {
  uid: number;
  flags: Set<string>;
  internalDate: Date;
  raw: Buffer;
}

interface Folder {
  uidValidity: number;
  uidNext: number;
  messages: Stored[];
}

interface Part {
  readonly headers: string;
  readonly body: Buffer;
  readonly type: string;
  readonly subtype: string;
  readonly params: Record<string, string>;
  readonly encoding: string;
  readonly disposition: { type: string; params: Record<string, string> } | null;
  readonly children: Part[];
}

const CRLF = '\r\n';

export class ImapFake {
  private server: Server | null = null;
  private readonly folders = new Map<string, Folder>();
  private readonly idlers = new Set<{ folder: string; notify: (exists: number) => void }>();
  private readonly sockets = new Set<Socket>();
  /** Every command received (tag stripped; AUTHENTICATE's payload left out), for tests. */
  readonly commands: string[] = [];
  private accessToken: string | undefined;

  constructor(
    private readonly scenario: EmailScenario,
    private readonly opts: { clock?: () => Date } = {},
  ) {
    this.accessToken = scenario.accessToken;
    let validity = 1_700_000_000;
    for (const name of new Set(['INBOX', 'Sent', ...Object.keys(scenario.folders)])) {
      const f: Folder = { uidValidity: validity++, uidNext: 1, messages: [] };
      this.folders.set(name, f);
      for (const m of scenario.folders[name] ?? []) this.add(f, Buffer.from(m.raw.replace(/\r?\n/g, CRLF)), m.flags ?? [], m.receivedAt);
    }
  }

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((s) => this.session(s));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The identity provider issued a new token: only this one is accepted from now on. */
  setAccessToken(token: string): void {
    this.accessToken = token;
  }

  private capabilities(): string {
    return `IMAP4rev1 IDLE UIDPLUS LITERAL+${this.accessToken !== undefined ? ' SASL-IR AUTH=XOAUTH2' : ''}`;
  }

  /** A message arrives (as a delivery would); IDLE sessions on its folder hear of it. */
  deliver(raw: string, folder = 'INBOX', flags: readonly string[] = []): number {
    const f = this.folder(folder);
    const uid = this.add(f, Buffer.from(raw.replace(/\r?\n/g, CRLF)), flags);
    for (const i of this.idlers) if (i.folder === folder) i.notify(f.messages.length);
    return uid;
  }

  /** The messages of a folder, raw (the Sent folder holds what taskwire sent). */
  messages(folder = 'INBOX'): string[] {
    return this.folder(folder).messages.map((m) => m.raw.toString('utf8'));
  }

  private folder(name: string): Folder {
    const f = this.folders.get(name) ?? [...this.folders].find(([k]) => k.toUpperCase() === name.toUpperCase() && k.toUpperCase() === 'INBOX')?.[1];
    if (!f) throw new Error(`no folder ${name}`);
    return f;
  }

  private add(f: Folder, raw: Buffer, flags: readonly string[], receivedAt?: string): number {
    const date = receivedAt ? new Date(receivedAt) : dateHeader(raw) ?? this.opts.clock?.() ?? new Date();
    const uid = f.uidNext++;
    f.messages.push({ uid, flags: new Set(flags), internalDate: date, raw });
    return uid;
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const send = (s: string | Buffer) => {
      if (!socket.destroyed) socket.write(s);
    };
    let authed = false;
    let selected: { name: string; folder: Folder; readOnly: boolean } | null = null;
    let idling: { tag: string; idler: { folder: string; notify: (n: number) => void } } | null = null;
    let buf = Buffer.alloc(0);
    let pending: { line: string; literals: Buffer[]; need: number } | null = null;
    send(`* OK [CAPABILITY ${this.capabilities()}] taskwire fake IMAP ready${CRLF}`);

    const handle = (line: string, literals: Buffer[]) => {
      if (idling) {
        if (line.trim().toUpperCase() === 'DONE') {
          this.idlers.delete(idling.idler);
          send(`${idling.tag} OK IDLE terminated${CRLF}`);
          idling = null;
        }
        return;
      }
      const sp = line.indexOf(' ');
      const tag = line.slice(0, sp);
      let rest = line.slice(sp + 1);
      let uid = false;
      if (/^UID /i.test(rest)) {
        uid = true;
        rest = rest.slice(4);
      }
      const cmd = (rest.split(' ')[0] ?? '').toUpperCase();
      const args = rest.slice(cmd.length).trim();
      this.commands.push(cmd === 'AUTHENTICATE' || cmd === 'LOGIN' ? cmd : `${uid ? 'UID ' : ''}${cmd} ${args}`.trim());
      const ok = (text = `${cmd} completed`) => send(`${tag} OK ${text}${CRLF}`);
      const no = (text: string) => send(`${tag} NO ${text}${CRLF}`);
      const bad = (text: string) => send(`${tag} BAD ${text}${CRLF}`);
      try {
        switch (cmd) {
          case 'CAPABILITY':
            send(`* CAPABILITY ${this.capabilities()}${CRLF}`);
            return ok();
          case 'AUTHENTICATE': {
            // XOAUTH2 with SASL-IR: base64("user=<user>\x01auth=Bearer <token>\x01\x01").
            const [mech = '', payload = ''] = args.split(' ');
            const fields = Buffer.from(payload, 'base64').toString('utf8').split('\x01');
            const user = fields.find((f) => f.startsWith('user='))?.slice(5);
            const token = fields.find((f) => f.startsWith('auth=Bearer '))?.slice(12);
            if (mech.toUpperCase() === 'XOAUTH2' && this.accessToken !== undefined && user === this.scenario.user && token === this.accessToken) {
              authed = true;
              return ok(`[CAPABILITY ${this.capabilities()}] authenticated`);
            }
            return no('[AUTHENTICATIONFAILED] Invalid credentials (Failure)');
          }
          case 'NOOP':
            return ok();
          case 'LOGOUT':
            send(`* BYE logging out${CRLF}`);
            ok();
            socket.end();
            return;
          case 'LOGIN': {
            const [user, pass] = tokens(args, literals);
            if (user === this.scenario.user && pass === this.scenario.password) {
              authed = true;
              return ok(`[CAPABILITY ${this.capabilities()}] logged in`);
            }
            return no('[AUTHENTICATIONFAILED] Authentication failed.');
          }
        }
        if (!authed) return bad('log in first');
        switch (cmd) {
          case 'LIST': {
            const [, pattern = '*'] = tokens(args, literals);
            if (pattern === '') {
              send(`* LIST (\\Noselect) "/" ""${CRLF}`);
              return ok();
            }
            for (const name of this.folders.keys()) {
              const use = name === 'Sent' ? ' \\Sent' : '';
              send(`* LIST (\\HasNoChildren${use}) "/" ${quote(name)}${CRLF}`);
            }
            return ok();
          }
          case 'SELECT':
          case 'EXAMINE': {
            const [name = ''] = tokens(args, literals);
            const folder = this.folders.get(name) ?? (name.toUpperCase() === 'INBOX' ? this.folders.get('INBOX') : undefined);
            if (!folder) return no(`[NONEXISTENT] Mailbox doesn't exist: ${name}`);
            selected = { name: name.toUpperCase() === 'INBOX' ? 'INBOX' : name, folder, readOnly: cmd === 'EXAMINE' };
            send(`* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)${CRLF}`);
            send(`* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.${CRLF}`);
            send(`* ${folder.messages.length} EXISTS${CRLF}* 0 RECENT${CRLF}`);
            send(`* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid${CRLF}* OK [UIDNEXT ${folder.uidNext}] Predicted next UID${CRLF}`);
            return ok(`[${cmd === 'EXAMINE' ? 'READ-ONLY' : 'READ-WRITE'}] ${cmd} completed`);
          }
          case 'APPEND': {
            const t = tokens(args, literals);
            const name = t[0] ?? '';
            const folder = this.folders.get(name);
            if (!folder) return no(`[TRYCREATE] Mailbox doesn't exist: ${name}`);
            const flags = /\(([^)]*)\)/.exec(args)?.[1]?.split(/\s+/).filter((x) => x !== '') ?? [];
            const raw = literals.at(-1);
            if (!raw) return bad('APPEND needs a message literal');
            const id = this.deliver(raw.toString('utf8'), name, flags);
            return ok(`[APPENDUID ${folder.uidValidity} ${id}] Append completed.`);
          }
          case 'IDLE': {
            if (!selected) return bad('select a mailbox first');
            const name = selected.name;
            const idler = { folder: name, notify: (n: number) => send(`* ${n} EXISTS${CRLF}`) };
            this.idlers.add(idler);
            idling = { tag, idler };
            send(`+ idling${CRLF}`);
            return;
          }
          case 'CLOSE':
          case 'UNSELECT':
            selected = null;
            return ok();
        }
        if (!selected) return bad('select a mailbox first');
        const folder = selected.folder;
        switch (cmd) {
          case 'SEARCH': {
            const hits = search(folder, args, uid);
            send(`* SEARCH${hits.length > 0 ? ` ${hits.join(' ')}` : ''}${CRLF}`);
            return ok();
          }
          case 'FETCH': {
            const sp2 = args.indexOf(' ');
            const set = args.slice(0, sp2);
            const items = args.slice(sp2 + 1).replace(/^\(|\)$/g, '');
            for (const [seq, m] of select(folder, set, uid)) send(fetchLine(seq, m, items, uid));
            return ok();
          }
          case 'STORE': {
            if (selected.readOnly) return no('mailbox is read-only');
            const [set = '', op = '', ...rest2] = args.split(' ');
            const flags = rest2.join(' ').replace(/[()]/g, '').split(/\s+/).filter((x) => x !== '');
            for (const [seq, m] of select(folder, set, uid)) {
              if (/^\+/.test(op)) for (const f of flags) m.flags.add(f);
              else if (/^-/.test(op)) for (const f of flags) m.flags.delete(f);
              else m.flags = new Set(flags);
              if (!/SILENT/i.test(op)) send(`* ${seq} FETCH (UID ${m.uid} FLAGS (${[...m.flags].join(' ')}))${CRLF}`);
            }
            return ok();
          }
        }
        return bad(`unknown command ${cmd}`);
      } catch (err) {
        return bad((err as Error).message);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (pending && pending.need > 0) {
          if (buf.length < pending.need) return;
          pending.literals.push(buf.subarray(0, pending.need));
          buf = buf.subarray(pending.need);
          pending.need = 0;
        }
        const end = buf.indexOf(CRLF);
        if (end < 0) return;
        const line = buf.subarray(0, end).toString('utf8');
        buf = buf.subarray(end + 2);
        const lit = /\{(\d+)(\+?)\}$/.exec(line);
        const acc = pending ? pending.line + line : line;
        if (lit) {
          pending = { line: acc.slice(0, acc.length - lit[0].length) + '\uE000', literals: pending?.literals ?? [], need: Number(lit[1]) };
          if (lit[2] !== '+') send(`+ Ready for literal data${CRLF}`);
          continue;
        }
        const literals = pending?.literals ?? [];
        pending = null;
        handle(acc, literals);
      }
    });
  }
}

/** Arguments of a command: atoms, "quoted strings", and literals (marked U+E000 in the line). */
function tokens(args: string, literals: readonly Buffer[]): string[] {
  const out: string[] = [];
  let li = 0;
  const re = /"((?:[^"\\]|\\.)*)"|\uE000|\(([^)]*)\)|(\S+)/g;
  for (let m = re.exec(args); m !== null; m = re.exec(args)) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'));
    else if (m[0] === '\uE000') out.push(literals[li++]?.toString('utf8') ?? '');
    else if (m[2] !== undefined) continue;
    else out.push(m[3]!);
  }
  return out;
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

function inSet(set: string, n: number, max: number): boolean {
  return set.split(',').some((r) => {
    const [a = '', b] = r.split(':');
    const lo = a === '*' ? max : Number(a);
    if (b === undefined) return n === lo;
    const hi = b === '*' ? max : Number(b);
    return n >= Math.min(lo, hi) && n <= Math.max(lo, hi);
  });
}

function select(f: Folder, set: string, byUid: boolean): [number, Stored][] {
  const max = byUid ? (f.messages.at(-1)?.uid ?? 0) : f.messages.length;
  return f.messages.map((m, i) => [i + 1, m] as [number, Stored]).filter(([seq, m]) => inSet(set, byUid ? m.uid : seq, max));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function search(f: Folder, args: string, byUid: boolean): number[] {
  const t = args.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  const tests: ((m: Stored, seq: number) => boolean)[] = [];
  for (let i = 0; i < t.length; i++) {
    const k = t[i]!.toUpperCase();
    const next = () => (t[++i] ?? '').replace(/^"|"$/g, '');
    if (k === 'ALL') continue;
    if (k === 'SINCE') {
      const [d = '1', mon = 'jan', y = '1970'] = next().split('-');
      const since = Date.UTC(Number(y), MONTHS.indexOf(mon.toLowerCase()), Number(d));
      tests.push((m) => m.internalDate.getTime() >= since);
    } else if (k === 'UID') {
      const set = next();
      const max = f.messages.at(-1)?.uid ?? 0;
      tests.push((m) => inSet(set, m.uid, max));
    } else if (k === 'KEYWORD') {
      const kw = next().toLowerCase();
      tests.push((m) => [...m.flags].some((x) => x.toLowerCase() === kw));
    } else if (k === 'FLAGGED' || k === 'SEEN' || k === 'UNSEEN') {
      tests.push((m) => (k === 'UNSEEN' ? !m.flags.has('\\Seen') : m.flags.has(k === 'FLAGGED' ? '\\Flagged' : '\\Seen')));
    } else if (k === 'HEADER') {
      const name = next().toLowerCase();
      const value = next().toLowerCase();
      tests.push((m) => headerValues(headerBlock(m.raw), name).some((v) => v.toLowerCase().includes(value)));
    } else if (/^[\d*:,]+$/.test(k)) {
      const max = f.messages.length;
      tests.push((_m, seq) => inSet(k, seq, max));
    } else {
      throw new Error(`search key ${k} is not supported by the fake`);
    }
  }
  return f.messages.map((m, i) => [m, i + 1] as const).filter(([m, seq]) => tests.every((fn) => fn(m, seq))).map(([m, seq]) => (byUid ? m.uid : seq));
}

function headerBlock(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return (end < 0 ? raw : raw.subarray(0, end + 4)).toString('utf8');
}

function headerValues(block: string, name: string): string[] {
  const unfolded = block.replace(/\r\n[ \t]+/g, ' ');
  return unfolded
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(`${name}:`))
    .map((l) => l.slice(name.length + 1).trim());
}

function dateHeader(raw: Buffer): Date | null {
  const v = headerValues(headerBlock(raw), 'date')[0];
  const d = v ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

function params(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/;\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g)) out[m[1]!.toLowerCase()] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

/** A message (or part) parsed into its MIME tree. */
function parsePart(raw: Buffer, defaultType = 'text/plain'): Part {
  const split = raw.indexOf('\r\n\r\n');
  const headers = split < 0 ? raw.toString('utf8') : raw.subarray(0, split + 4).toString('utf8');
  const body = split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4);
  // RFC 2045: a part with no Content-Type is text/plain; charset=us-ascii (or message/rfc822 in a digest).
  const ct = headerValues(headers, 'content-type')[0] ?? (defaultType === 'text/plain' ? 'text/plain; charset=us-ascii' : defaultType);
  const [full = defaultType] = ct.split(';');
  const [type = 'text', subtype = 'plain'] = full.trim().toLowerCase().split('/');
  const p = params(ct);
  const cd = headerValues(headers, 'content-disposition')[0];
  const disposition = cd ? { type: (cd.split(';')[0] ?? '').trim().toLowerCase(), params: params(cd) } : null;
  const encoding = (headerValues(headers, 'content-transfer-encoding')[0] ?? '7bit').toLowerCase();
  const children: Part[] = [];
  if (type === 'multipart' && p['boundary']) {
    const text = body.toString('latin1');
    const marker = `--${p['boundary']}`;
    const pieces = text.split(new RegExp(`(?:^|\\r\\n)${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*(?:\\r\\n|$)`));
    for (const piece of pieces.slice(1, -1)) children.push(parsePart(Buffer.from(piece, 'latin1'), subtype === 'digest' ? 'message/rfc822' : 'text/plain'));
  }
  return { headers, body, type, subtype, params: p, encoding, disposition, children };
}

function plist(p: Record<string, string>): string {
  const e = Object.entries(p);
  return e.length === 0 ? 'NIL' : `(${e.map(([k, v]) => `${quote(k.toUpperCase())} ${quote(v)}`).join(' ')})`;
}

/** BODYSTRUCTURE with extension data (disposition), as RFC 3501 §7.4.2 writes it. */
function bodyStructure(p: Part): string {
  const disp = p.disposition ? `(${quote(p.disposition.type.toUpperCase())} ${plist(p.disposition.params)})` : 'NIL';
  if (p.children.length > 0) {
    return `(${p.children.map(bodyStructure).join('')} ${quote(p.subtype.toUpperCase())} ${plist(p.params.boundary ? { boundary: p.params.boundary } : {})} ${disp} NIL NIL)`;
  }
  const { boundary: _b, ...rest } = p.params;
  const base = `${quote(p.type.toUpperCase())} ${quote(p.subtype.toUpperCase())} ${plist(rest)} NIL NIL ${quote(p.encoding.toUpperCase())} ${p.body.length}`;
  const lines = p.type === 'text' ? ` ${p.body.toString('latin1').split('\r\n').length - 1}` : '';
  return `(${base}${lines} NIL ${disp} NIL NIL)`;
}

/** The part a section number names (`1`, `1.2`); for a single-part message, `1` is its body. */
function partAt(root: Part, section: string): Part | null {
  let p: Part = root;
  for (const n of section.split('.').map(Number)) {
    if (p.children.length === 0) {
      if (n !== 1) return null;
      continue;
    }
    const c = p.children[n - 1];
    if (!c) return null;
    p = c;
  }
  return p;
}

function literal(b: Buffer): string {
  return `{${b.length}}${CRLF}${b.toString('latin1')}`;
}

function fetchLine(seq: number, m: Stored, items: string, byUid: boolean): Buffer {
  const out: string[] = [];
  const root = parsePart(m.raw);
  const wanted: string[] = [...(items.match(/BODY(?:\.PEEK)?\[[^\]]*\](?:<\d+\.\d+>)?|\S+/gi) ?? [])];
  if (byUid && !wanted.some((w) => w.toUpperCase() === 'UID')) wanted.unshift('UID');
  for (const w of wanted) {
    const k = w.toUpperCase();
    if (k === 'UID') out.push(`UID ${m.uid}`);
    else if (k === 'FLAGS') out.push(`FLAGS (${[...m.flags].join(' ')})`);
    else if (k === 'INTERNALDATE') out.push(`INTERNALDATE "${imapDate(m.internalDate)}"`);
    else if (k === 'RFC822.SIZE') out.push(`RFC822.SIZE ${m.raw.length}`);
    else if (k === 'BODYSTRUCTURE') out.push(`BODYSTRUCTURE ${bodyStructure(root)}`);
    else if (k.startsWith('BODY')) {
      const section = /\[([^\]]*)\]/.exec(w)?.[1] ?? '';
      const upper = section.toUpperCase();
      let data: Buffer;
      if (upper === '') data = m.raw;
      else if (upper === 'HEADER') data = Buffer.from(root.headers, 'latin1');
      else if (upper === 'TEXT') data = root.body;
      else if (upper.endsWith('.MIME')) data = Buffer.from(partAt(root, section.slice(0, -5))?.headers ?? '', 'latin1');
      else data = partAt(root, section)?.body ?? Buffer.alloc(0);
      out.push(`BODY[${section}] ${literal(data)}`);
    }
  }
  return Buffer.from(`* ${seq} FETCH (${out.join(' ')})${CRLF}`, 'latin1');
}

function imapDate(d: Date): string {
  const mon = MONTHS[d.getUTCMonth()]!;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}-${mon[0]!.toUpperCase()}${mon.slice(1)}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
