// Loaded with `node --import` into a CLI run by a benchmark: at exit, the process's peak RSS (KiB) is
// written to $RSS_OUT. Nothing else changes in the process.
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  if (process.env.RSS_OUT) writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS));
});
