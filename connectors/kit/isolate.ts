/**
 * One bad item must not block its scope. An item whose detail cannot be read (a pull request GitHub
 * times out on, a page whose relation list fails) becomes a `failed` item — recorded with the error and
 * read again on a later cycle — while the rest of the page is stored and the cursor moves on. Failures
 * that are not the item's own (the tool unreachable, credentials refused, a rate limit, a shutdown)
 * still fail the whole poll, which the scheduler retries with backoff.
 */
import type { SourceItem } from '../../src/core/model.js';
import { ConnectorError } from '../../src/errors.js';

export async function orFailed(key: string, read: () => Promise<SourceItem[]>): Promise<SourceItem[]> {
  try {
    return await read();
  } catch (err) {
    if (!itemsOwn(err)) throw err;
    return [{ type: 'failed', key, error: (err as Error).message }];
  }
}

/** The tool answered about this item (or timed out on it): the failure is the item's, not the tool's. */
function itemsOwn(err: unknown): boolean {
  if (!(err instanceof ConnectorError)) return false;
  if (err.network === 'TIMEOUT') return true;
  return err.status !== undefined && ![401, 403, 429].includes(err.status);
}
