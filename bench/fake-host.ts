/** The benchmark side of `fake-worker.ts`: start a fake in a worker thread and talk to it. */
import { Worker } from 'node:worker_threads';
import type { GithubScenario } from '../connectors/github/fake.js';
import type { JiraFakeOptions, JiraScenario } from '../connectors/jira/fake.js';

export type FakeSpec = { kind: 'github'; scenario: GithubScenario } | { kind: 'jira'; scenario: JiraScenario; options: JiraFakeOptions };

export interface FakeHost {
  readonly url: string;
  mark(): Promise<void>;
  /** GitHub only: people edit these issues' titles (they move to the end of the updated-since list). */
  touch(repo: string, numbers: number[]): Promise<void>;
  requests(): Promise<{ method: string; path: string; status: number }[]>;
  stop(): Promise<void>;
}

export async function startFakeWorker(spec: FakeSpec): Promise<FakeHost> {
  // A TypeScript entry in a worker: register tsx's loader there first, then import the fake.
  const entry = new URL('./fake-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: spec });
  const next = <T>() => new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const { url } = await next<{ url: string }>();
  const ask = async <T>(op: string, more: Record<string, unknown> = {}) => {
    const p = next<T>();
    worker.postMessage({ op, ...more });
    return p;
  };
  return {
    url,
    mark: async () => void (await ask('mark')),
    touch: async (repo, numbers) => void (await ask('touch', { repo, numbers })),
    requests: async () => (await ask<{ requests: { method: string; path: string; status: number }[] }>('requests')).requests,
    stop: async () => {
      await ask('stop');
      await worker.terminate();
    },
  };
}
