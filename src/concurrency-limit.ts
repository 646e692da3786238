/**
 * A bound on concurrent work with a deadline on the wait: at most `concurrency` run at once, the rest wait in
 * order, and whatever has waited `maxWaitMs` is refused with {@link QueueDeadlineError} (never started) so that
 * a flood is answered "busy, retry" at once instead of queueing without end and stalling everything behind it.
 * For CPU-bound work in native threads (password hashing), which a request timeout cannot cancel.
 */
export class QueueDeadlineError extends Error {
  /** Seconds after which a retry has a fair chance. */
  readonly retryAfterSeconds: number;

  constructor(what: string, retryAfterSeconds: number) {
    super(`${what} is saturated: the work waited past its deadline`);
    this.name = 'QueueDeadlineError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ConcurrencyLimit {
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export function createConcurrencyLimit(options: {
  concurrency: number;
  maxWaitMs: number;
  /** Named in the error. */
  name?: string;
}): ConcurrencyLimit {
  const { concurrency, maxWaitMs } = options;
  const retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000));
  let active = 0;
  const queue: Array<() => void> = [];

  // A freed slot passes straight to the next waiter, so nothing that arrives meanwhile can take it.
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (active < concurrency) active += 1;
      else {
        await new Promise<void>((resolve, reject) => {
          const start = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            queue.splice(queue.indexOf(start), 1);
            reject(new QueueDeadlineError(options.name ?? 'the work queue', retryAfterSeconds));
          }, maxWaitMs);
          queue.push(start);
        });
      }
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
