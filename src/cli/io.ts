/** What a command may touch: its output streams, the environment and the working directory. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** A plain aligned table for terminals; long cells are cut with an ellipsis. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth: Partial<Record<number, number>> = {}): string {
  const cut = (s: string, i: number) => {
    const max = maxWidth[i];
    return max !== undefined && s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const cells = [headers, ...rows].map((r) => r.map((c, i) => cut(c, i)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
