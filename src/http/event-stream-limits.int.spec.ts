/**
 * Bounded Server-Sent Events (issue 29): streams per user and per process are capped (429 / 503 with
 * Retry-After), a stream ends after its maximum lifetime, and a change of a watched command is read once
 * however many streams watch it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../test/support/api-server.js';
import { createLogger } from '../observability/logger.js';
import { findCommand } from '../outbox/status.js';
import { startCommandStatusHub } from './command-status-hub.js';

let api: TestApi;
let alice: Session;
let bob: Session;
beforeAll(async () => {
  api = await startTestApi({ eventStreams: { maxStreams: 3, maxPerUser: 2, maxLifetimeMs: 60_000 } });
  alice = await api.registerUser();
  bob = await api.registerUser();
  await api.putOnLedger(alice);
  await api.putOnLedger(bob);
});
afterAll(() => api?.close());

async function transferOf(user: Session): Promise<string> {
  const response = await api.request('POST', '/api/v1/transfers', {
    token: user.accessToken,
    body: { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '1' },
  });
  expect(response.status).toBe(202);
  return response.body.commandId;
}

/** Opens a stream and waits for its headers; `close()` hangs up. */
async function open(commandId: string, user: Session) {
  const controller = new AbortController();
  const response = await fetch(`${api.url}/api/v1/commands/${commandId}/events`, {
    headers: { authorization: `Bearer ${user.accessToken}` },
    signal: controller.signal,
  });
  const body = response.ok ? response.body?.getReader() : undefined;
  if (body) await body.read();
  return {
    response,
    async close() {
      controller.abort();
      await body?.cancel().catch(() => undefined);
    },
  };
}

describe('event stream limits', () => {
  it('caps streams per user (429) and per process (503), with Retry-After, and frees a place when one ends', async () => {
    const aliceCommand = await transferOf(alice);
    const bobCommand = await transferOf(bob);
    const first = await open(aliceCommand, alice);
    const second = await open(aliceCommand, alice);
    const third = await open(aliceCommand, alice);
    expect([first.response.status, second.response.status, third.response.status]).toEqual([200, 200, 429]);
    expect(third.response.headers.get('retry-after')).toBe('5');

    const bobs = await open(bobCommand, bob);
    expect(bobs.response.status).toBe(200);
    const full = await open(bobCommand, bob);
    expect(full.response.status).toBe(503);
    expect(full.response.headers.get('retry-after')).toBe('5');

    await first.close();
    await expect
      .poll(async () => {
        const again = await open(aliceCommand, alice);
        await again.close();
        return again.response.status;
      })
      .toBe(200);
    await Promise.all([second.close(), bobs.close()]);
  });

  it('ends a stream after its maximum lifetime', async () => {
    const short = await startTestApi({ eventStreams: { maxStreams: 10, maxPerUser: 10, maxLifetimeMs: 300 } });
    try {
      const user = await short.registerUser();
      await short.putOnLedger(user);
      const response = await short.request('POST', '/api/v1/transfers', {
        token: user.accessToken,
        body: { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '1' },
      });
      const started = Date.now();
      const stream = await fetch(`${short.url}/api/v1/commands/${response.body.commandId}/events`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      });
      const text = await stream.text();
      expect(text).toContain('event: status');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await short.close();
    }
  });
});

describe('the command status hub', () => {
  it('reads a changed command once for all its watchers', async () => {
    const commandId = await transferOf(alice);
    let reads = 0;
    const hub = await startCommandStatusHub(
      { connectionString: api.db.url },
      createLogger({ level: 'silent', role: 'spec' }),
      (id) => {
        reads += 1;
        return findCommand(api.db.pool, id);
      },
    );
    try {
      const seen: string[] = [];
      const stops = Array.from({ length: 25 }, () =>
        hub.watch(commandId, { onView: (view) => seen.push(view?.status ?? 'none'), onError: () => undefined }),
      );
      await api.db.pool.query(`UPDATE outbox_command SET status = 'SUBMITTED' WHERE id = $1`, [commandId]);
      await api.db.pool.query(`SELECT pg_notify('gx_command_status', $1)`, [commandId]);
      await expect.poll(() => seen.length).toBe(25);
      expect(reads).toBe(1);
      expect(new Set(seen)).toEqual(new Set(['SUBMITTED']));
      for (const stop of stops) stop();
    } finally {
      await hub.close();
    }
  });
});
