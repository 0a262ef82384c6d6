#!/usr/bin/env node
// The installed `taskwire` command: runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('taskwire: not built yet — run `npm run build` (npm ci does it) first\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main(process.argv.slice(2));
