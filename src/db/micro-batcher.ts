/**
 * Micro-batching of database round trips: callers add one item each and await its result; items that arrive
 * while a flush is running go out together in the next one. Under load this turns thousands of single-row
 * statements per second into a few dozen, without making a lone item wait for a timer (at low load an item
 * goes out alone at once). The one batcher behind the outbox's group commit, the submitter's write-backs and
 * the API's coalesced reads.
 */
export class Batcher<Item, Result> {
  readonly #flush: (items: Item[]) => Promise<Result[]>;
  readonly #maxBatch: number;
  readonly #maxConcurrent: number;
  #queue: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  #running = 0;
  #idle: Array<() => void> = [];

  /**
   * @param flush writes a batch and returns one result per item, in order.
   * @param options.maxBatch most items per flush; options.maxConcurrent flushes in flight at once.
   */
  constructor(
    flush: (items: Item[]) => Promise<Result[]>,
    options: { maxBatch?: number; maxConcurrent?: number } = {},
  ) {
    this.#flush = flush;
    this.#maxBatch = options.maxBatch ?? 1_000;
    this.#maxConcurrent = options.maxConcurrent ?? 2;
  }

  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
    });
  }

  /** Resolves once everything added so far has been flushed. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#maxConcurrent && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#running += 1;
      this.#flush(batch.map((entry) => entry.item))
        .then(
          (results) => {
            for (const [index, entry] of batch.entries()) entry.resolve(results[index] as Result);
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          this.#running -= 1;
          this.#pump();
          if (this.#queue.length === 0 && this.#running === 0) {
            for (const resolve of this.#idle.splice(0)) resolve();
          }
        });
    }
  }
}
