import { describe, expect, it } from 'vitest';
import {
  type AccountEvent,
  type AccountStatus,
  accountStatuses,
  nextStatus,
  TransitionRefusedError,
  transitions,
} from './account-status.js';

/** docs/domain.md, "Profile statuses", as (event, from, to) rows. */
const allowed: Array<[AccountEvent, AccountStatus, AccountStatus]> = [
  ['SUBMIT_KYC', 'REGISTERED', 'KYC_SUBMITTED'],
  ['SUBMIT_KYC', 'KYC_REJECTED', 'KYC_SUBMITTED'],
  ['APPROVE_KYC', 'KYC_SUBMITTED', 'KYC_APPROVED'],
  ['REJECT_KYC', 'KYC_SUBMITTED', 'KYC_REJECTED'],
  ['APPROVE_USER', 'KYC_APPROVED', 'PENDING_ONCHAIN'],
  ['REGISTERED_ONCHAIN', 'PENDING_ONCHAIN', 'ACTIVE'],
  ['REGISTERED_ONCHAIN', 'ONCHAIN_FAILED', 'ACTIVE'],
  ['CREATE_USER_FAILED', 'PENDING_ONCHAIN', 'ONCHAIN_FAILED'],
  ['RETRY_ONCHAIN', 'ONCHAIN_FAILED', 'PENDING_ONCHAIN'],
  ['WALLET_FROZEN', 'ACTIVE', 'FROZEN'],
  ['WALLET_UNFROZEN', 'FROZEN', 'ACTIVE'],
];

describe('the profile status machine', () => {
  it.each(allowed)('%s: %s → %s', (event, from, to) => {
    expect(nextStatus(event, from, null)).toBe(to);
  });

  it('refuses every other (event, status) pair with the current status named', () => {
    const pairs = new Set(allowed.map(([event, from]) => `${event}/${from}`));
    let refused = 0;
    for (const event of ['SUBMIT_KYC', 'APPROVE_KYC', 'REJECT_KYC', 'APPROVE_USER'] as const) {
      for (const status of accountStatuses) {
        if (pairs.has(`${event}/${status}`)) continue;
        const attempt = () => nextStatus(event, status, null);
        expect(attempt).toThrow(TransitionRefusedError);
        expect(attempt).toThrow(`the profile is ${status}`);
        refused += 1;
      }
    }
    expect(refused).toBe(4 * accountStatuses.length - 5);
  });

  it('suspends anything but SUSPENDED and CLOSED, and reinstates to the status before', () => {
    for (const status of accountStatuses) {
      if (status === 'SUSPENDED' || status === 'CLOSED') {
        expect(() => nextStatus('SUSPEND', status, null)).toThrow(TransitionRefusedError);
      } else {
        expect(nextStatus('SUSPEND', status, null)).toBe('SUSPENDED');
        expect(nextStatus('REINSTATE', 'SUSPENDED', status)).toBe(status);
      }
    }
    expect(() => nextStatus('REINSTATE', 'ACTIVE', null)).toThrow('the profile is ACTIVE');
  });

  it('closes anything but CLOSED, for good', () => {
    for (const status of accountStatuses.filter((s) => s !== 'CLOSED')) {
      expect(nextStatus('CLOSE', status, null)).toBe('CLOSED');
    }
    for (const event of Object.keys(transitions) as AccountEvent[]) {
      expect(() => nextStatus(event, 'CLOSED', 'ACTIVE')).toThrow(TransitionRefusedError);
    }
  });
});
