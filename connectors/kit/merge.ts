/**
 * Interleaves several async iterators, at most `limit` of them running at a time, yielding values as
 * they arrive. An iterator is asked for its next value only after its previous value was consumed, so a
 * consumer that stores each value before asking for more never sees an iterator run ahead of it — the
 * property a poll cursor needs. (One repository's wait overlaps another's, which is the point.)
 */
export async function* merge<T>(sources: readonly (() => AsyncIterator<T>)[], limit: number): AsyncGenerator<T> {
  const queue = [...sources];
  const running = new Map<AsyncIterator<T>, Promise<{ it: AsyncIterator<T>; r: IteratorResult<T> }>>();
  const pull = (it: AsyncIterator<T>) => running.set(it, it.next().then((r) => ({ it, r })));
  const startMore = () => {
    while (running.size < limit && queue.length > 0) pull(queue.shift()!());
  };
  try {
    startMore();
    while (running.size > 0) {
      const { it, r } = await Promise.race(running.values());
      running.delete(it);
      if (r.done) {
        startMore();
        continue;
      }
      yield r.value;
      pull(it);
    }
  } finally {
    // Stopped early (an error or the consumer returned): close what is still open.
    await Promise.allSettled([...running.keys()].map(async (it) => it.return?.()));
  }
}
