import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../test/support/api-server.js';

let api: TestApi;
let owner: Session;
let other: Session;
let admin: Session;

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.registerUser();
  other = await api.registerUser();
  admin = await api.admin();
  await api.putOnLedger(owner);
});
afterAll(() => api?.close());

async function newTransfer(): Promise<string> {
  const response = await api.request('POST', '/api/v1/transfers', {
    token: owner.accessToken,
    body: { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', amount: '10' },
  });
  expect(response.status).toBe(202);
  return response.body.commandId;
}

/** Moves a command as the submitter/projector would, announcing it on the status channel. */
async function move(commandId: string, set: string): Promise<void> {
  await api.db.pool.query(`UPDATE outbox_command SET ${set}, updated_at = now() WHERE id = $1`, [commandId]);
  await api.db.pool.query(`SELECT pg_notify('gx_command_status', $1)`, [commandId]);
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Opens the stream and collects its events until the server ends it. */
function openStream(commandId: string, token: string) {
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  const done = (async () => {
    const response = await fetch(`${api.url}/api/v1/commands/${commandId}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) {
          events.push({ event, data: JSON.parse(data) });
          for (const wake of waiters.splice(0)) wake();
        }
        boundary = buffer.indexOf('\n\n');
      }
    }
    return events;
  })();
  const until = async (count: number) => {
    while (events.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { events, done, until };
}

describe('GET /api/v1/commands/:id', () => {
  it('shows the command to its submitter and to admins', async () => {
    const id = await newTransfer();
    for (const token of [owner.accessToken, admin.accessToken]) {
      const response = await api.request('GET', `/api/v1/commands/${id}`, { token });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        commandId: id,
        commandType: 'TRANSFER_TOKENS',
        status: 'PENDING',
        attempts: 0,
        fabricTxId: null,
        blockNumber: null,
        error: null,
        committedAt: null,
      });
    }
  });

  it('answers 404 to another user exactly as for an unknown id (issue 29), 401 without a token, 400 for a bad id', async () => {
    const id = await newTransfer();
    const foreign = await api.request('GET', `/api/v1/commands/${id}`, { token: other.accessToken });
    const unknown = await api.request('GET', '/api/v1/commands/00000000-0000-4000-8000-000000000000', {
      token: other.accessToken,
    });
    expect(foreign.status).toBe(404);
    const { error, message } = unknown.body;
    expect(foreign.body).toMatchObject({ error, message });
    expect((await api.request('GET', `/api/v1/commands/${id}`)).status).toBe(401);
    expect(
      (await api.request('GET', '/api/v1/commands/00000000-0000-4000-8000-000000000000', { token: owner.accessToken }))
        .status,
    ).toBe(404);
    expect((await api.request('GET', '/api/v1/commands/123', { token: owner.accessToken })).status).toBe(400);
  });

  it('shows FAILED with its error and whether it will retry', async () => {
    const id = await newTransfer();
    await move(
      id,
      "status = 'FAILED', error = 'INSUFFICIENT_FUNDS: balance 5 < 10', error_kind = 'PERMANENT', next_attempt_at = NULL",
    );
    const response = await api.request('GET', `/api/v1/commands/${id}`, { token: owner.accessToken });
    expect(response.body).toMatchObject({
      status: 'FAILED',
      retrying: false,
      error: 'INSUFFICIENT_FUNDS: balance 5 < 10',
    });
  });
});

describe('GET /api/v1/commands/:id/events (SSE)', () => {
  it('pushes each status change from NOTIFY and ends once projected', async () => {
    const id = await newTransfer();
    const stream = openStream(id, owner.accessToken);
    await stream.until(1);
    expect(stream.events[0]).toMatchObject({ event: 'status', data: { status: 'PENDING' } });
    await move(id, `status = 'SUBMITTED', attempts = 1, fabric_tx_id = 'tx-${id}'`);
    await stream.until(2);
    await move(id, "status = 'COMMITTED', block_number = 12, committed_at = now()");
    await stream.until(3);
    await move(id, 'projected_at = now()');
    const events = await stream.done;
    expect(events.map((e) => `${e.event}:${e.data.status}`)).toEqual([
      'status:PENDING',
      'status:SUBMITTED',
      'status:COMMITTED',
      'projected:COMMITTED',
    ]);
    expect(events[3]!.data).toMatchObject({ blockNumber: 12, fabricTxId: `tx-${id}` });
  });

  it('waits for the commit to be recorded when the projector is first', async () => {
    const id = await newTransfer();
    const stream = openStream(id, owner.accessToken);
    await stream.until(1);
    await move(id, "status = 'SUBMITTED', attempts = 1, projected_at = now()");
    await stream.until(2);
    expect(stream.events[1]).toMatchObject({ event: 'status', data: { status: 'SUBMITTED' } });
    await move(id, "status = 'COMMITTED', committed_at = now()");
    const events = await stream.done;
    expect(events.at(-1)).toMatchObject({ event: 'projected', data: { status: 'COMMITTED' } });
  });

  it('ends with `failed` when the command fails for good (but not while it retries)', async () => {
    const id = await newTransfer();
    const stream = openStream(id, owner.accessToken);
    await stream.until(1);
    await move(
      id,
      "status = 'FAILED', attempts = 1, error = 'UNAVAILABLE', next_attempt_at = now() + interval '1 minute'",
    );
    await stream.until(2);
    expect(stream.events[1]).toMatchObject({ event: 'status', data: { status: 'FAILED', retrying: true } });
    await move(id, "error = 'rejected', next_attempt_at = NULL, attempts = 2");
    const events = await stream.done;
    expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'FAILED', retrying: false } });
  });

  it('ends at once for a command already projected, and refuses other users', async () => {
    const id = await newTransfer();
    await move(id, "status = 'COMMITTED', committed_at = now(), projected_at = now()");
    const events = await openStream(id, admin.accessToken).done;
    expect(events.map((e) => e.event)).toEqual(['status', 'projected']);
    const refused = await fetch(`${api.url}/api/v1/commands/${id}/events`, {
      headers: { authorization: `Bearer ${other.accessToken}` },
    });
    expect(refused.status).toBe(404);
  });

  it('keeps streams alive across a lost LISTEN connection (reconnects, then re-reads)', async () => {
    const id = await newTransfer();
    const stream = openStream(id, owner.accessToken);
    await stream.until(1);
    await api.db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gx-api-listen' AND datname = current_database()",
    );
    // Changed while the listener is down: the reconnect must pick it up without a notification.
    await api.db.pool.query(
      "UPDATE outbox_command SET status = 'COMMITTED', committed_at = now(), projected_at = now() WHERE id = $1",
      [id],
    );
    const events = await stream.done;
    expect(events.at(-1)?.event).toBe('projected');
  });

  it('serves many watchers from one LISTEN connection', async () => {
    const id = await newTransfer();
    const streams = Array.from({ length: 20 }, () => openStream(id, owner.accessToken));
    await Promise.all(streams.map((s) => s.until(1)));
    const listeners = await api.db.pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'gx-api-listen'",
    );
    expect(listeners.rows[0].n).toBe(1);
    await move(id, "status = 'COMMITTED', committed_at = now(), projected_at = now()");
    const all = await Promise.all(streams.map((s) => s.done));
    expect(all.every((events) => events.at(-1)?.event === 'projected')).toBe(true);
  });
});
