import { describe, expect, it } from 'vitest';
import { merge } from '../../../connectors/kit/merge.js';

async function* source(name: string, n: number, log: string[], delayMs: number) {
  for (let i = 0; i < n; i++) {
    log.push(`${name} produces ${i}`);
    await new Promise((r) => setTimeout(r, delayMs));
    yield `${name}${i}`;
  }
}

describe('merge', () => {
  it('yields every value of every source, each source in its own order', async () => {
    const log: string[] = [];
    const out: string[] = [];
    for await (const v of merge([() => source('a', 3, log, 5), () => source('b', 3, log, 1), () => source('c', 2, log, 2)], 2)) out.push(v);
    expect(out.sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1']);
    for (const name of ['a', 'b', 'c']) {
      const mine = out.filter((v) => v.startsWith(name));
      expect(mine).toEqual([...mine].sort());
    }
  });

  it('never lets a source run ahead of the consumer, and runs at most `limit` at once', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    async function* counted(name: string) {
      for (let i = 0; i < 3; i++) {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        log.push(`${name}${i} made`);
        yield `${name}${i}`;
      }
    }
    for await (const v of merge([() => counted('a'), () => counted('b'), () => counted('c')], 2)) {
      log.push(`${v} stored`);
      // A value is made only after the same source's previous value was stored.
      const made = log.filter((l) => l.startsWith(v[0]!) && l.endsWith('made')).length;
      const stored = log.filter((l) => l.startsWith(v[0]!) && l.endsWith('stored')).length;
      expect(made).toBe(stored);
    }
    expect(most).toBeLessThanOrEqual(2);
  });

  it('stops every source when one fails', async () => {
    let closed = 0;
    async function* ok() {
      try {
        for (;;) yield await new Promise<number>((r) => setTimeout(() => r(1), 1));
      } finally {
        closed++;
      }
    }
    async function* bad() {
      yield 0;
      throw new Error('boom');
    }
    await expect(async () => {
      for await (const _ of merge([() => ok(), () => bad()], 2)) void _;
    }).rejects.toThrow('boom');
    expect(closed).toBe(1);
  });
});
