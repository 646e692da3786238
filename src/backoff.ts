/**
 * The one retry delay of every loop that reconnects or retries (LISTEN connections, the block stream, the
 * gRPC channel, the submitter's claim and write-back loops, the projector's stream): exponential from
 * `initialMs`, doubling per consecutive failure, capped at `maxMs`, each delay drawn from [½, 1] of that
 * value (cockatiel's half jitter), so replicas that failed together do not come back together.
 */
import { ExponentialBackoff, halfJitterGenerator, type IBackoff } from 'cockatiel';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Consecutive failures and the delay after each; {@link Backoff.reset} after a success. */
export interface Backoff {
  /** Counts a failure and returns how long to wait (ms) before the next attempt. */
  next(): number;
  /** A success: the next failure waits `initialMs` again. */
  reset(): void;
  /** Failures since the last reset. */
  readonly failures: number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  const policy = new ExponentialBackoff({
    initialDelay: options.initialMs,
    maxDelay: options.maxMs,
    generator: halfJitterGenerator,
  });
  let current: IBackoff<unknown> | undefined;
  let failures = 0;
  return {
    next() {
      current = current ? current.next(undefined) : policy.next();
      failures += 1;
      return current.duration;
    },
    reset() {
      current = undefined;
      failures = 0;
    },
    get failures() {
      return failures;
    },
  };
}
