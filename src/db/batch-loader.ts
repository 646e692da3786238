/**
 * Coalesces concurrent point reads into one `= ANY($1)` query: under load, the requests that arrive while a
 * query is in flight are answered by the next single query instead of one round trip each. At low load a
 * read goes out alone at once, so latency does not grow. On a machine where the API, PostgreSQL and the
 * clients share two cores, fewer queries means fewer syscalls and less server work per request.
 */
import { Batcher } from './micro-batcher.js';

export interface BatchLoader<K, V> {
  load(key: K): Promise<V | undefined>;
}

export interface BatchLoaderOptions {
  /** Most keys per query. */
  maxBatch?: number;
  /** Most queries in flight at once. */
  maxConcurrent?: number;
}

export function createBatchLoader<K, V>(
  fetchMany: (keys: K[]) => Promise<Map<K, V>>,
  options: BatchLoaderOptions = {},
): BatchLoader<K, V> {
  const batcher = new Batcher<K, V | undefined>(
    async (keys) => {
      const found = await fetchMany([...new Set(keys)]);
      return keys.map((key) => found.get(key));
    },
    { maxBatch: options.maxBatch ?? 128, maxConcurrent: options.maxConcurrent ?? 2 },
  );
  return { load: (key) => batcher.add(key) };
}
