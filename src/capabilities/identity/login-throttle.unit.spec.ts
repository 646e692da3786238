import { describe, expect, it } from 'vitest';
import { FREE_FAILURES, loginDelayMs, UnknownEmailThrottle } from './login-throttle.js';

describe('loginDelayMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const at = (msAgo: number) => new Date(now - msAgo);

  it('lets the first failures through', () => {
    expect(loginDelayMs(FREE_FAILURES - 1, at(0), now)).toBe(0);
  });

  it('doubles the wait per failure beyond the allowance, capped at 15 minutes', () => {
    expect(loginDelayMs(FREE_FAILURES, at(0), now)).toBe(1000);
    expect(loginDelayMs(FREE_FAILURES + 3, at(0), now)).toBe(8000);
    expect(loginDelayMs(FREE_FAILURES + 30, at(0), now)).toBe(15 * 60 * 1000);
  });

  it('counts the wait from the last failure and forgets failures older than an hour', () => {
    expect(loginDelayMs(FREE_FAILURES + 3, at(5000), now)).toBe(3000);
    expect(loginDelayMs(FREE_FAILURES + 3, at(9000), now)).toBe(0);
    expect(loginDelayMs(FREE_FAILURES + 30, at(61 * 60 * 1000), now)).toBe(0);
  });
});

describe('UnknownEmailThrottle', () => {
  it('throttles like an account, case-insensitively, and stays bounded', () => {
    const throttle = new UnknownEmailThrottle(2);
    const now = Date.now();
    for (let i = 0; i < FREE_FAILURES; i += 1) throttle.recordFailure('Ghost@GX.test', now);
    expect(throttle.delayMs('ghost@gx.test', now)).toBe(1000);
    throttle.recordFailure('a@gx.test', now);
    throttle.recordFailure('b@gx.test', now);
    expect(throttle.delayMs('ghost@gx.test', now)).toBe(0);
  });
});
