/**
 * Reading task text the way people write it: the acceptance-criteria section of a description, and the
 * references to other work in it ("blocked by #12", "depends on acme/infra#3", "OPS-14", a Jira or
 * Notion URL). Pure; every connector that has Markdown uses the same rules, so a reference means the same
 * thing whichever tool it was written in.
 */
import type { TaskRef } from './model.js';

/** Every comment taskwire writes carries a hidden marker starting with this (an HTML comment in Markdown). */
export const MARKER_PREFIX = '<!-- taskwire:';

/** The marker of a task's one status comment: how the comment is found again to be edited in place. */
export function statusMarker(taskId: string): string {
  return `${MARKER_PREFIX}status ${taskId} -->`;
}

/** True when text was written by taskwire (it carries a taskwire marker). */
export const isOurs = (text: string | null | undefined): boolean => !!text && text.includes(MARKER_PREFIX);

const HEADING = /^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$/;
/** `**Acceptance criteria**`, `__Acceptance criteria:__` or `Acceptance criteria:` alone on a line. */
const PSEUDO_HEADING = /^\s{0,3}(?:\*\*|__)?\s*([^*_:]+?)\s*:?\s*(?:\*\*|__)?\s*:?\s*$/;

const norm = (s: string) => s.toLowerCase().replace(/[:*_`]/g, '').replace(/\s+/g, ' ').trim();

/**
 * The text under a heading (any level, or a bold / colon-terminated line standing alone), up to the next
 * heading of the same or a higher level. Null when there is no such section or it is empty.
 */
export function sectionUnder(markdown: string | null, heading: string): string | null {
  if (!markdown) return null;
  const want = norm(heading);
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = HEADING.exec(line);
    const level = h ? h[1]!.length : 7; // a pseudo-heading ends at any real heading or the next pseudo-heading
    const title = h ? h[2]! : isPseudoHeading(line) ? line : null;
    if (title === null || norm(title) !== want) continue;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j]!;
      const nh = HEADING.exec(next);
      if (nh && nh[1]!.length <= level) break;
      if (level === 7 && (nh || (isPseudoHeading(next) && (lines[j - 1] ?? '').trim() === ''))) break;
      body.push(next);
    }
    const text = body.join('\n').trim();
    return text === '' ? null : text;
  }
  return null;
}

function isPseudoHeading(line: string): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > 60) return false;
  const bold = /^(\*\*|__).+(\*\*|__):?$/.test(t);
  const colon = /^[A-Za-z][\w /&-]*:$/.test(t);
  return (bold || colon) && PSEUDO_HEADING.test(t);
}

/** Words that introduce the work this task waits for. */
const DEPENDENCY_PHRASE = /\b(?:is\s+)?(?:blocked\s+by|depends\s+(?:up)?on|dependent\s+on|waiting\s+(?:on|for)|waits\s+(?:on|for))\s*:?\s*/gi;

/** Uppercase words followed by a number that are standards or versions, not Jira keys. */
const NOT_JIRA = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'CVE', 'CWE', 'TLS', 'SSL', 'HTTP', 'HTTPS', 'AES', 'RSA', 'MD', 'IPV', 'GPT', 'COVID', 'WCAG', 'ECMA', 'ANSI', 'IEEE', 'KB', 'SOC', 'PCI', 'GDPR', 'NIST', 'ES', 'EC', 'CP', 'PR', 'GH', 'Q', 'H', 'FY', 'W', 'V']);
const JIRA_KEY = /\b([A-Z][A-Z0-9_]{1,9})-(\d{1,7})\b/g;
const URL_RE = /https?:\/\/[^\s<>()[\]"'`]+[^\s<>()[\]"'`.,;:!?]/g;
const GITHUB_REF = /(?:^|[\s(,;:])(?:([\w.-]+\/[\w.-]+))?#(\d+)\b/g;

export interface TextRefContext {
  /** `owner/repo` that a bare `#12` refers to; without it bare numbers are ignored. */
  readonly repo?: string;
}

export interface TextRefs {
  /** References named as blockers ("blocked by …", "depends on …"). */
  readonly dependsOn: TaskRef[];
  /** Every reference to other work (including the blockers): Jira keys, GitHub issues, tool URLs. */
  readonly links: TaskRef[];
}

/** References to other tasks in a piece of text. */
export function findReferences(text: string | null, ctx: TextRefContext = {}): TextRefs {
  if (!text) return { dependsOn: [], links: [] };
  const clean = stripCode(text);
  const links = new Set<TaskRef>(refsIn(clean, ctx));
  const dependsOn = new Set<TaskRef>();
  for (const m of clean.matchAll(DEPENDENCY_PHRASE)) {
    // The list that follows the phrase: up to the end of the sentence or line.
    const rest = clean.slice((m.index ?? 0) + m[0].length);
    const list = /^[^\n]*?(?=\.(?:\s|$)|\n|$)/.exec(rest)?.[0] ?? '';
    for (const r of refsIn(` ${list}`, ctx)) dependsOn.add(r);
  }
  return { dependsOn: [...dependsOn], links: [...links] };
}

function refsIn(text: string, ctx: TextRefContext): TaskRef[] {
  const out: TaskRef[] = [];
  let rest = text;
  for (const m of text.matchAll(URL_RE)) {
    const u = m[0];
    if (isTaskUrl(u)) out.push(u);
    rest = rest.replace(u, ' ');
  }
  for (const m of rest.matchAll(GITHUB_REF)) {
    const repo = m[1] ?? ctx.repo;
    if (repo) out.push(`github:${repo}#${m[2]}`);
  }
  for (const m of rest.matchAll(JIRA_KEY)) {
    if (!NOT_JIRA.has(m[1]!)) out.push(`jira:${m[1]}-${m[2]}`);
  }
  return out;
}

/** URLs of items in the tools taskwire knows: GitHub issues/PRs, Jira issues, Notion pages, Slack messages. */
export function isTaskUrl(u: string): boolean {
  return (
    /\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+/.test(u) ||
    /\/browse\/[A-Z][A-Z0-9_]+-\d+/.test(u) ||
    /^https?:\/\/([\w-]+\.)?notion\.(so|site)\//.test(u) ||
    /\/archives\/[CDG][A-Z0-9]+\/p\d+/.test(u)
  );
}

/** Code spans and fenced blocks are not prose: "#12" in a code sample is not a reference. */
function stripCode(text: string): string {
  return text.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
}
