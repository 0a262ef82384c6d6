/**
 * Runs a tool fake in a worker thread, so a benchmark measures taskwire's CPU and not the fake's
 * (both would otherwise share one event loop). Messages: `start` → the URL; `requests` → what the fake
 * recorded since the last `mark`; `touch` → people edit the titles of these GitHub issues; `stop`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GithubFake, type GithubScenario } from '../connectors/github/fake.js';
import { JiraFake, type JiraFakeOptions, type JiraScenario } from '../connectors/jira/fake.js';

type Msg = { op: 'requests' } | { op: 'mark' } | { op: 'stop' } | { op: 'touch'; repo: string; numbers: number[] };

type Data = { kind: 'github'; scenario: GithubScenario } | { kind: 'jira'; scenario: JiraScenario; options: JiraFakeOptions };
const data = workerData as Data;
const fake = data.kind === 'github' ? new GithubFake(data.scenario) : new JiraFake(data.scenario, data.options);
const url = await fake.start();
let mark = 0;
parentPort!.postMessage({ url });
parentPort!.on('message', (m: Msg) => {
  if (m.op === 'mark') {
    mark = fake.server.requests.length;
    parentPort!.postMessage({ ok: true });
  } else if (m.op === 'touch' && fake instanceof GithubFake) {
    for (const n of m.numbers) fake.updateIssue(m.repo, n, { title: `Edited ${n} at ${Date.now()}` }, 'someone');
    parentPort!.postMessage({ ok: true });
  } else if (m.op === 'requests') {
    parentPort!.postMessage({ requests: fake.server.requests.slice(mark).map((r) => ({ method: r.method, path: r.path, status: r.status })) });
  } else {
    void fake.stop().then(() => parentPort!.postMessage({ ok: true }));
  }
});
