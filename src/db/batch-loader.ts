/**
 * Coalesces concurrent point reads into one `= ANY($1)` query: under load, the requests that arrive while a
 * query is in flight are answered by the next single query instead of one round trip each. At low load a
 * read goes out alone at once, so latency does not grow. On a machine where the API, PostgreSQL and the
 * clients share two cores, fewer queries means fewer syscalls and less server work per request.
 */
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
  const maxBatch = options.maxBatch ?? 128;
  const maxConcurrent = options.maxConcurrent ?? 2;
  let queue: Array<{ key: K; resolve(value: V | undefined): void; reject(error: unknown): void }> = [];
  let inFlight = 0;

  function pump(): void {
    while (inFlight < maxConcurrent && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight += 1;
      const keys = [...new Set(batch.map((item) => item.key))];
      fetchMany(keys)
        .then(
          (found) => {
            for (const item of batch) item.resolve(found.get(item.key));
          },
          (error: unknown) => {
            for (const item of batch) item.reject(error);
          },
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  }

  return {
    load(key) {
      return new Promise((resolve, reject) => {
        queue.push({ key, resolve, reject });
        pump();
      });
    },
  };
}
