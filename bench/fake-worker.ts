/**
 * Runs a tool fake in a worker thread, so a benchmark measures taskwire's CPU and not the fake's
 * (both would otherwise share one event loop). Messages: `start` → the URL; `requests` → what the fake
 * recorded since the last `mark`; `stop`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GithubFake, type GithubScenario } from '../connectors/github/fake.js';

type Msg = { op: 'requests' } | { op: 'mark' } | { op: 'stop' };

const data = workerData as { kind: 'github'; scenario: GithubScenario };
const fake = new GithubFake(data.scenario);
const url = await fake.start();
let mark = 0;
parentPort!.postMessage({ url });
parentPort!.on('message', (m: Msg) => {
  if (m.op === 'mark') {
    mark = fake.server.requests.length;
    parentPort!.postMessage({ ok: true });
  } else if (m.op === 'requests') {
    parentPort!.postMessage({ requests: fake.server.requests.slice(mark).map((r) => ({ method: r.method, path: r.path, status: r.status })) });
  } else {
    void fake.stop().then(() => parentPort!.postMessage({ ok: true }));
  }
});
