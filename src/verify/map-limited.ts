/** Queries in flight at once: enough to hide round trips, far below a peer's gateway concurrency limit. */
const CONCURRENCY = 32;

/** `work` over every item, at most {@link CONCURRENCY} at a time; results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}
