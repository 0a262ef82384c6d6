// A backfill in a process of its own, from the compiled build (as the container runs it), so its peak
// RSS is taskwire's alone: `connector` polls the GitHub fake into the store; `floor` fetches the same
// pages, parses them and inserts each issue as one JSON row. Prints {ms, items, maxRssMiB} as JSON.
import Database from 'better-sqlite3';
import pino from 'pino';
const { FAKE_URL, MODE, DB, REPOS } = process.env;
const repos = REPOS.split(',');
const started = performance.now();
let items = 0;
if (MODE === 'floor') {
  const db = new Database(DB);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE raw (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT');
  const ins = db.prepare('INSERT OR REPLACE INTO raw (id, body) VALUES (?, ?)');
  const tx = db.transaction((repo, issues) => {
    for (const i of issues) ins.run(`${repo}#${i.number}`, JSON.stringify(i));
  });
  for (const repo of repos) {
    for (let page = 1; ; page++) {
      const res = await fetch(`${FAKE_URL}/repos/${repo}/issues?state=all&sort=updated&direction=asc&per_page=100&page=${page}`, { headers: { authorization: 'token ghp_faketoken' } });
      const issues = await res.json();
      tx(repo, issues);
      items += issues.length;
      if (!/rel="next"/.test(res.headers.get('link') ?? '')) break;
    }
  }
  db.close();
} else {
  const dist = new URL('../dist/', import.meta.url);
  const { githubConfigSchema } = await import(new URL('connectors/github/config.js', dist).href);
  const { createGithub } = await import(new URL('connectors/github/connector.js', dist).href);
  const { buildIdentity } = await import(new URL('src/core/identity.js', dist).href);
  const { pollConnector } = await import(new URL('src/pipeline/poll.js', dist).href);
  const { SqliteStore } = await import(new URL('src/store/sqlite-store.js', dist).href);
  const store = SqliteStore.open(DB);
  const connector = createGithub(githubConfigSchema.parse({ name: 'github-bench', type: 'github', baseUrl: FAKE_URL, token: 'ghp_faketoken', repos }), { log: pino({ level: 'silent' }), timezone: 'Europe/Berlin' });
  const summary = await pollConnector(store, connector, buildIdentity({ people: [], teams: [], discovered: [] }), new AbortController().signal);
  items = summary.inserted; // tasks (a poll also yields history and activity items)
  await store.close();
}
process.stdout.write(JSON.stringify({ ms: performance.now() - started, items, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
