/** The compiled build the benchmarks run as a user would, rebuilt when any source is newer than it. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

/** Builds dist/ (npm run build) unless it is newer than every source file. */
export function ensureBuilt(): void {
  const marker = join(ROOT, 'dist/src/cli.js');
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'connectors')));
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources) return;
  process.stdout.write('(building dist/: the sources are newer)\n');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
