/**
 * A load generator in a worker thread (the second core): signed GitHub deliveries POSTed to a URL,
 * either as fast as `concurrency` allows or at a steady rate, to one URL or round-robin to several;
 * reports the acknowledgement times.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';

interface Job {
  readonly url: string;
  /** Several replicas: deliveries go round-robin (as a load balancer would spread them). */
  readonly urls?: readonly string[];
  readonly secret: string;
  readonly bodies: readonly string[];
  readonly mode: { readonly kind: 'burst'; readonly concurrency: number } | { readonly kind: 'steady'; readonly perSecond: number };
  readonly prefix: string;
}

const job = workerData as Job;
const urls = job.urls ?? [job.url];
const agent = new Agent({ connections: 128, pipelining: 1, keepAliveTimeout: 10_000 });
const signed = job.bodies.map((b) => ({ body: b, sig: `sha256=${createHmac('sha256', job.secret).update(b).digest('hex')}` }));
const latencies: number[] = [];
let errors = 0;

async function send(i: number): Promise<void> {
  const s = signed[i % signed.length]!;
  const t = performance.now();
  try {
    const res = await request(urls[i % urls.length]!, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': `${job.prefix}-${i}`, 'x-hub-signature-256': s.sig }, body: s.body });
    await res.body.dump();
    if (res.statusCode !== 200) errors++;
  } catch {
    errors++;
  }
  latencies.push(performance.now() - t);
}

const n = job.bodies.length;
const started = performance.now();
if (job.mode.kind === 'burst') {
  let next = 0;
  await Promise.all(Array.from({ length: job.mode.concurrency }, async () => {
    while (next < n) await send(next++);
  }));
} else {
  const gap = 1000 / job.mode.perSecond;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = started + i * gap;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(send(i));
  }
  await Promise.all(inflight);
}
const ms = performance.now() - started;
await agent.close();
parentPort!.postMessage({ sent: n, errors, ms, latencies });
