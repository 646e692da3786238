/**
 * Runs work that touches the same ledger keys one at a time, in arrival order, while work on disjoint keys
 * runs in parallel.
 *
 * Fabric validates read sets at commit: two transactions that read and write one key, endorsed before either
 * commits, land in the same block and the second fails MVCC_READ_CONFLICT. Forty transfers from one sender
 * submitted at once would otherwise commit about one per block and spend their retry budget on conflicts.
 * Waiting here costs one commit latency per queued command on that key and nothing elsewhere.
 *
 * Each call chains onto the current tail of every key it names and becomes the new tail, synchronously, so
 * the waits form a graph ordered by arrival: no call can wait on a later one, so there is no deadlock.
 */
export class ConflictGate {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` once every earlier call sharing one of `keys` has finished (successfully or not). */
  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const earlier = unique.map((key) => this.#tails.get(key)).filter((tail) => tail !== undefined);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of unique) this.#tails.set(key, done);
    try {
      await Promise.all(earlier);
      return await work();
    } finally {
      release();
      // The last in line clears its keys, so the map holds only keys with work queued or running.
      for (const key of unique) if (this.#tails.get(key) === done) this.#tails.delete(key);
    }
  }

  /** Keys with work queued or running (for metrics and tests). */
  get busyKeys(): number {
    return this.#tails.size;
  }
}
