import { describe, expect, it } from 'vitest';
import { createExpiryJob, expirePaymentRequestsJobName, expiryRequestId } from './expire-payment-requests.js';

const ids = ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)];

describe('the payment-request expiry job', () => {
  it('enqueues each due request once per run and counts only the inserts that happened', async () => {
    const asked: number[] = [];
    const enqueued: string[] = [];
    const job = createExpiryJob(
      {
        findDue: async (limit) => {
          asked.push(limit);
          return ids;
        },
        // The second is already in the outbox (another run got there first).
        enqueue: async (paymentId) => {
          enqueued.push(paymentId);
          return paymentId !== ids[1];
        },
      },
      { intervalMs: 1000, batchSize: 3 },
    );
    expect(job.name).toBe(expirePaymentRequestsJobName);
    expect(await job.run()).toEqual({ due: 3, enqueued: 2 });
    expect(asked).toEqual([3]);
    expect(enqueued).toEqual(ids);
  });

  it('reports nothing due when nothing is, and lets a database failure fail the run', async () => {
    const idle = createExpiryJob({ findDue: async () => [], enqueue: async () => true }, { intervalMs: 1000 });
    expect(await idle.run()).toEqual({ due: 0, enqueued: 0 });
    const broken = createExpiryJob(
      {
        findDue: async () => ids,
        enqueue: async () => {
          throw new Error('connection terminated');
        },
      },
      { intervalMs: 1000 },
    );
    await expect(broken.run()).rejects.toThrow('connection terminated');
  });

  it('derives the request id from the payment id alone, so every replica and restart uses the same one', () => {
    expect(expiryRequestId(ids[0] ?? '')).toBe(`expire-payment:${ids[0]}`);
    expect(expiryRequestId(ids[0] ?? '')).not.toBe(expiryRequestId(ids[1] ?? ''));
  });
});
