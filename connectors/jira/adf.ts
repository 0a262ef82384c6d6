/**
 * Atlassian Document Format ↔ Markdown, for descriptions and comments. Pure. Covers what people write
 * in issues — paragraphs, headings, lists and task lists, code, quotes, panels, tables, links,
 * mentions, emoji, dates, status lozenges, smart links — and keeps the text of anything else.
 * https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */

export interface AdfNode {
  readonly type: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly marks?: readonly { readonly type: string; readonly attrs?: Readonly<Record<string, unknown>> }[];
  readonly content?: readonly AdfNode[];
  /** On the document node only. */
  readonly version?: number;
}

/** ADF (or a plain string, as Jira Data Center and some custom fields give) → Markdown; null when empty. */
export function adfToMarkdown(doc: unknown): string | null {
  if (doc === null || doc === undefined) return null;
  if (typeof doc === 'string') return doc.trim() === '' ? null : doc;
  if (typeof doc !== 'object') return str(doc);
  const md = blocks((doc as AdfNode).content ?? [], '').trim();
  return md === '' ? null : md;
}

function blocks(nodes: readonly AdfNode[], indent: string): string {
  return nodes.map((n) => block(n, indent)).filter((s) => s !== '').join('\n\n');
}

function block(n: AdfNode, indent: string): string {
  const c = n.content ?? [];
  switch (n.type) {
    case 'paragraph':
      return indent + inline(c);
    case 'heading':
      return `${indent}${'#'.repeat(Math.min(6, Math.max(1, Number(n.attrs?.['level'] ?? 1))))} ${inline(c)}`;
    case 'bulletList':
      return c.map((li) => listItem(li, `${indent}- `, indent)).join('\n');
    case 'orderedList': {
      const start = Number(n.attrs?.['order'] ?? 1);
      return c.map((li, i) => listItem(li, `${indent}${start + i}. `, indent)).join('\n');
    }
    case 'taskList':
      return c.map((item) => (item.type === 'taskItem' ? `${indent}- [${item.attrs?.['state'] === 'DONE' ? 'x' : ' '}] ${inline(item.content ?? [])}` : block(item, indent))).join('\n');
    case 'decisionList':
      return c.map((item) => `${indent}- ${inline(item.content ?? [])}`).join('\n');
    case 'codeBlock':
      return `${indent}\`\`\`${str(n.attrs?.['language'])}\n${c.map((t) => t.text ?? '').join('')}\n${indent}\`\`\``;
    case 'blockquote':
      return blocks(c, '')
        .split('\n')
        .map((l) => `${indent}> ${l}`)
        .join('\n');
    case 'panel':
      return blocks(c, '')
        .split('\n')
        .map((l) => `${indent}> ${l}`)
        .join('\n');
    case 'rule':
      return `${indent}---`;
    case 'table':
      return table(c);
    case 'mediaSingle':
    case 'mediaGroup':
    case 'media':
      return '';
    case 'expand':
    case 'nestedExpand':
      return `${indent}**${str(n.attrs?.['title'])}**\n\n${blocks(c, indent)}`;
    default:
      return c.length > 0 ? blocks(c, indent) : inline([n]);
  }
}

function listItem(li: AdfNode, bullet: string, indent: string): string {
  const [first, ...rest] = li.content ?? [];
  const head = first ? (first.type === 'paragraph' ? inline(first.content ?? []) : block(first, '').trim()) : '';
  const nested = rest.map((n) => block(n, `${indent}  `)).filter((s) => s !== '');
  return [bullet + head, ...nested].join('\n');
}

function table(rows: readonly AdfNode[]): string {
  const cells = rows.map((r) => (r.content ?? []).map((cell) => inlineOfBlocks(cell.content ?? []).replace(/\|/g, '\\|')));
  if (cells.length === 0) return '';
  const width = Math.max(...cells.map((r) => r.length));
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => r[i] ?? '').join(' | ')} |`;
  return [line(cells[0]!), `|${' --- |'.repeat(width)}`, ...cells.slice(1).map(line)].join('\n');
}

function inlineOfBlocks(nodes: readonly AdfNode[]): string {
  return nodes.map((n) => (n.type === 'paragraph' ? inline(n.content ?? []) : inline([n]))).join(' ');
}

function inline(nodes: readonly AdfNode[]): string {
  return nodes.map(inlineNode).join('');
}

function inlineNode(n: AdfNode): string {
  switch (n.type) {
    case 'text':
      return marked(n.text ?? '', n.marks ?? []);
    case 'hardBreak':
      return '  \n';
    case 'mention':
      return `@${str(n.attrs?.['text'] ?? n.attrs?.['id']).replace(/^@/, '')}`;
    case 'emoji':
      return str(n.attrs?.['text'] ?? n.attrs?.['shortName']);
    case 'date': {
      const ts = Number(n.attrs?.['timestamp']);
      return Number.isFinite(ts) ? new Date(ts).toISOString().slice(0, 10) : '';
    }
    case 'status':
      return `[${str(n.attrs?.['text'])}]`;
    case 'inlineCard':
    case 'blockCard':
      return str(n.attrs?.['url']);
    default:
      return n.content ? inline(n.content) : (n.text ?? '');
  }
}

function marked(text: string, marks: readonly { type: string; attrs?: Readonly<Record<string, unknown>> }[]): string {
  let out = text;
  for (const m of marks) {
    if (m.type === 'code') out = `\`${out}\``;
    else if (m.type === 'strong') out = `**${out}**`;
    else if (m.type === 'em') out = `_${out}_`;
    else if (m.type === 'strike') out = `~~${out}~~`;
    else if (m.type === 'link') out = `[${out}](${str(m.attrs?.['href'])})`;
  }
  return out;
}

/**
 * Markdown (as taskwire writes it: paragraphs, `#` headings, `-` lists, `**bold**`, `_em_`, `code`,
 * [links](url)) → ADF, for comments.
 */
export function markdownToAdf(md: string): AdfNode {
  const content: AdfNode[] = [];
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  let para: string[] = [];
  let list: AdfNode[] | null = null;
  const flushPara = () => {
    if (para.length > 0) content.push({ type: 'paragraph', content: inlineMd(para.join(' ')) });
    para = [];
  };
  const flushList = () => {
    if (list) content.push({ type: 'bulletList', content: list });
    list = null;
  };
  for (const line of lines) {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    const li = /^\s*[-*]\s+(.*)$/.exec(line);
    if (h) {
      flushPara();
      flushList();
      content.push({ type: 'heading', attrs: { level: h[1]!.length }, content: inlineMd(h[2]!) });
    } else if (li) {
      flushPara();
      (list ??= []).push({ type: 'listItem', content: [{ type: 'paragraph', content: inlineMd(li[1]!) }] });
    } else if (line.trim() === '') {
      flushPara();
      flushList();
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return { type: 'doc', version: 1, content };
}

const INLINE = /(\*\*([^*]+)\*\*)|(_([^_]+)_)|(`([^`]+)`)|(\[([^\]]+)\]\(([^)\s]+)\))/g;

function inlineMd(text: string): AdfNode[] {
  const out: AdfNode[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push({ type: 'text', text: text.slice(last, m.index) });
    if (m[2] !== undefined) out.push({ type: 'text', text: m[2], marks: [{ type: 'strong' }] });
    else if (m[4] !== undefined) out.push({ type: 'text', text: m[4], marks: [{ type: 'em' }] });
    else if (m[6] !== undefined) out.push({ type: 'text', text: m[6], marks: [{ type: 'code' }] });
    else out.push({ type: 'text', text: m[8]!, marks: [{ type: 'link', attrs: { href: m[9]! } }] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ type: 'text', text: text.slice(last) });
  return out.filter((n) => n.text !== '');
}

/** The plain text of an ADF document (for matching a signature in a comment). */
export function adfText(doc: unknown): string {
  if (!doc || typeof doc !== 'object') return typeof doc === 'string' ? doc : '';
  const n = doc as AdfNode;
  return (n.text ?? '') + (n.content ?? []).map(adfText).join(n.type === 'doc' ? '\n' : '');
}

/** An attribute as text: strings and numbers as they are, anything else as nothing. */
function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}
