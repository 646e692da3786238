import { describe, expect, it } from 'vitest';
import { FREE_FAILURES, LoginThrottle, loginDelayMs } from './login-throttle.js';

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

describe('LoginThrottle', () => {
  it('throttles an (account, source) pair, case-insensitively, and leaves the account open to other sources', () => {
    const throttle = new LoginThrottle({ perAccountSource: FREE_FAILURES, perSource: 50 });
    const now = Date.now();
    for (let i = 0; i < FREE_FAILURES; i += 1) throttle.recordFailure('Victim@GX.test', 'attacker', now);
    expect(throttle.delayMs('victim@gx.test', 'attacker', now)).toBe(1000);
    expect(throttle.delayMs('victim@gx.test', 'owner', now)).toBe(0);
  });

  it('throttles a source that fails across many accounts', () => {
    const throttle = new LoginThrottle({ perAccountSource: 5, perSource: 3 });
    const now = Date.now();
    for (const account of ['a@gx.test', 'b@gx.test', 'c@gx.test']) throttle.recordFailure(account, 'sprayer', now);
    expect(throttle.delayMs('d@gx.test', 'sprayer', now)).toBe(1000);
    expect(throttle.delayMs('d@gx.test', 'someone-else', now)).toBe(0);
  });

  it('clears the pair on success and stays bounded', () => {
    const throttle = new LoginThrottle({ perAccountSource: 2, perSource: 100 }, 4);
    const now = Date.now();
    throttle.recordFailure('a@gx.test', 's', now);
    throttle.recordFailure('a@gx.test', 's', now);
    expect(throttle.delayMs('a@gx.test', 's', now)).toBe(1000);
    throttle.recordSuccess('a@gx.test', 's');
    expect(throttle.delayMs('a@gx.test', 's', now)).toBe(0);
    throttle.recordFailure('x@gx.test', 't', now);
    throttle.recordFailure('x@gx.test', 't', now);
    for (const account of ['1', '2', '3']) throttle.recordFailure(account, 'u', now);
    expect(throttle.delayMs('x@gx.test', 't', now)).toBe(0);
  });
});
