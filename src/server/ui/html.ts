/**
 * HTML built as strings with every interpolated value escaped unless it is marked as already safe
 * (`raw`, or the result of another `html` template). Pages are rendered on the server.
 */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type Html = Safe | string | number | null | undefined | false | readonly Html[];

function emit(v: Html): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(emit).join('');
  return escapeHtml(String(v));
}

/** `html\`<p>${text}</p>\``: text escaped; nested templates, arrays of them and `raw(...)` kept. */
export function html(strings: TemplateStringsArray, ...values: Html[]): Safe {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += emit(values[i]) + strings[i + 1]!;
  return new Safe(out);
}

/** Markup that is already safe (built here, never from input). */
export const raw = (s: string): Safe => new Safe(s);

/** A query string from a record (empty values left out), for links that keep the filters. */
export function query(params: Readonly<Record<string, string | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A link to a tool only if it is http(s): a task's URL comes from the tool and is not trusted. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}
