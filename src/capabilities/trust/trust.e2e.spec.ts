/**
 * Relationships and trust over the whole system: HTTP → outbox → submitter → devnet (real Fabric Gateway
 * client, gxtv3) → projector → read models. Every relationship type moves the score as the ledger computes
 * it, and the group and total caps hold (they are exhaustive in chaincode/src/relationships.unit.spec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestApi, type TestApi } from '../../../test/support/api-server.js';
import {
  externalLedger,
  projectFromCurrentBlock,
  startTestLedger,
  type TestLedger,
} from '../../../test/support/ledger.js';
import { scenarioParams } from '../../../test/support/ledger-scenario.js';
import { loadConfig } from '../../config.js';
import { createLedgerClient, type LedgerClient } from '../../ledger/index.js';
import { createLogger } from '../../observability/logger.js';
import { type EnqueuedCommand, enqueueCommand } from '../../outbox/enqueue.js';
import { createProjector } from '../../projector/projector.js';
import { type Submitter, startSubmitter } from '../../submitter/index.js';

const logger = createLogger({ level: process.env.GX_TEST_LOG_LEVEL ?? 'silent', role: 'trust-e2e' });
let devnet: TestLedger;
let ledger: LedgerClient;
let api: TestApi;
let submitter: Submitter;
const stopProjector = new AbortController();
let projecting: Promise<void>;
let admin: Session;
let alice: Session;
let bob: Session;
let carol: Session;
let aliceId: string;
let bobId: string;

/** Follows the command's event stream to its end; returns the last event's name and data. */
async function follow(commandId: string, token: string): Promise<{ event: string; data: Record<string, unknown> }> {
  const response = await fetch(`${api.url}/api/v1/commands/${commandId}/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const blocks = (await response.text()).split('\n\n').filter((block) => block.includes('event: '));
  const last = blocks.at(-1) ?? '';
  return {
    event: /^event: (.*)$/m.exec(last)?.[1] ?? '',
    data: JSON.parse(/^data: (.*)$/m.exec(last)?.[1] ?? '{}'),
  };
}

/** Sends a command request, expects 202 and follows the command until it is projected. */
async function projected(
  user: Session,
  path: string,
  body?: unknown,
): Promise<{ commandId: string; relationshipId?: string }> {
  const response = await api.request('POST', path, { token: user.accessToken, body });
  expect(response.status, response.text).toBe(202);
  const end = await follow(response.body.commandId, user.accessToken);
  expect(end.event, JSON.stringify(end.data)).toBe('projected');
  return response.body;
}

const trustOf = async (user: Session) =>
  (await api.request('GET', '/api/v1/users/me/trust', { token: user.accessToken })).body;

/** Approves a registered user as an individual and waits for its on-chain registration; returns its id. */
async function onLedger(user: Session): Promise<string> {
  await api.passKyc(user);
  const approval = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
    token: admin.accessToken,
    body: { accountType: 0 },
  });
  expect(approval.status, approval.text).toBe(202);
  expect((await follow(approval.body.commandId, admin.accessToken)).event).toBe('projected');
  return approval.body.fabricUserId;
}

beforeAll(async () => {
  devnet = await startTestLedger();
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'trust-e2e' });
  api = await startTestApi({ ledger });
  submitter = await startSubmitter({
    pool: api.db.pool,
    clientConfig: { connectionString: api.db.url },
    ledger,
    logger,
    window: 64,
    batchSize: 64,
    maxAttempts: 3,
    backoffBaseMs: 50,
  });
  await projectFromCurrentBlock(api.db.pool, ledger);
  projecting = createProjector({ pool: api.db.pool, source: ledger, logger }).run(stopProjector.signal);
  admin = await api.admin();
  if (!externalLedger) {
    const boot = await api.request('POST', '/api/v1/bootstrap', {
      token: admin.accessToken,
      body: { params: scenarioParams() },
    });
    expect((await follow(boot.body.commandId, admin.accessToken)).event).toBe('projected');
  }
  alice = await api.registerUser({ nationalityCountryCode: 'MY', gender: 'female' });
  bob = await api.registerUser({ nationalityCountryCode: 'SG', gender: 'male', dateOfBirth: '1979-02-28' });
  carol = await api.registerUser({ nationalityCountryCode: 'MY', gender: 'female', dateOfBirth: '1990-07-01' });
  aliceId = await onLedger(alice);
  bobId = await onLedger(bob);
  await onLedger(carol);
}, 180_000);

afterAll(async () => {
  stopProjector.abort();
  await projecting;
  await submitter?.stop();
  await api?.close();
  await ledger?.close();
  await devnet?.stop();
});

describe('relationships and trust over the whole system', () => {
  it('starts every registered user at the base score; 404 before on-chain registration', async () => {
    expect(await trustOf(alice)).toEqual({ score: 10, breakdown: { base: 10, family: 0, business: 0, friends: 0 } });
    const fresh = await api.registerUser();
    expect((await api.request('GET', '/api/v1/users/me/trust', { token: fresh.accessToken })).status).toBe(404);
  });

  it('request → confirm raises both scores; end drops them again', async () => {
    const { relationshipId } = await projected(alice, '/api/v1/relationships', {
      toFabricUserId: bobId,
      type: 'SIBLING',
    });
    const listed = await api.request('GET', '/api/v1/relationships', { token: bob.accessToken });
    expect(listed.body.items[0]).toMatchObject({
      relationshipId,
      type: 'SIBLING',
      fromFabricUserId: aliceId,
      toFabricUserId: bobId,
      direction: 'INCOMING',
      status: 'PENDING',
    });
    expect((await trustOf(bob)).score).toBe(10);

    await projected(bob, `/api/v1/relationships/${relationshipId}/confirm`);
    expect(await trustOf(alice)).toEqual({ score: 25, breakdown: { base: 10, family: 15, business: 0, friends: 0 } });
    expect((await trustOf(bob)).score).toBe(25);

    await projected(bob, `/api/v1/relationships/${relationshipId}/end`);
    expect((await trustOf(alice)).score).toBe(10);
    expect((await trustOf(bob)).score).toBe(10);
    const ended = await api.request('GET', '/api/v1/relationships', { token: alice.accessToken });
    expect(ended.body.items[0]).toMatchObject({
      relationshipId,
      status: 'ENDED',
      endedBy: bobId,
      direction: 'OUTGOING',
    });
  });

  it('every type adds its points, each group stops at its cap and the total at 100', async () => {
    // In this order each step shows one type's points: business reaches exactly its cap (2 + 3 + 5), then
    // family passes 80 with MOTHER, where the total (10 + 80 + 10 + 1) is capped at 100.
    const steps = [
      ['FRIEND', { score: 11, family: 0, business: 0, friends: 1 }],
      ['WORKPLACE_ASSOCIATE', { score: 13, family: 0, business: 2, friends: 1 }],
      ['DIRECTOR', { score: 16, family: 0, business: 5, friends: 1 }],
      ['BUSINESS_PARTNER', { score: 21, family: 0, business: 10, friends: 1 }],
      ['CHILD', { score: 31, family: 10, business: 10, friends: 1 }],
      ['SIBLING', { score: 46, family: 25, business: 10, friends: 1 }],
      ['SPOUSE', { score: 71, family: 50, business: 10, friends: 1 }],
      ['MOTHER', { score: 100, family: 80, business: 10, friends: 1 }],
      ['FATHER', { score: 100, family: 80, business: 10, friends: 1 }],
    ] as const;
    // Requests of different types share no ledger key: they commit together.
    const requested = await Promise.all(
      steps.map(([type]) => projected(alice, '/api/v1/relationships', { toFabricUserId: bobId, type })),
    );
    for (const [index, [type, { score, ...groups }]] of steps.entries()) {
      await projected(bob, `/api/v1/relationships/${requested[index]?.relationshipId}/confirm`);
      const expected = { score, breakdown: { base: 10, ...groups } };
      expect(await trustOf(alice), type).toEqual(expected);
      expect(await trustOf(bob), type).toEqual(expected);
    }
    // FATHER and MOTHER end: family falls from 110 raw (80 capped) to 50.
    await projected(alice, `/api/v1/relationships/${requested[8]?.relationshipId}/end`);
    expect((await trustOf(alice)).score).toBe(100);
    await projected(bob, `/api/v1/relationships/${requested[7]?.relationshipId}/end`);
    expect(await trustOf(alice)).toEqual({ score: 71, breakdown: { base: 10, family: 50, business: 10, friends: 1 } });
  });

  it('pages the caller’s relationships, newest first, and shows nobody else’s', async () => {
    const first = await api.request('GET', '/api/v1/relationships?limit=4', { token: alice.accessToken });
    expect(first.body.items).toHaveLength(4);
    const second = await api.request(
      'GET',
      `/api/v1/relationships?limit=100&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      { token: alice.accessToken },
    );
    const all = [...first.body.items, ...second.body.items];
    expect(all).toHaveLength(10);
    expect(new Set(all.map((item: { relationshipId: string }) => item.relationshipId)).size).toBe(10);
    expect(second.body.nextCursor).toBeNull();
    expect((await api.request('GET', '/api/v1/relationships', { token: carol.accessToken })).body.items).toEqual([]);
    const bad = await api.request('GET', '/api/v1/relationships?cursor=nonsense', { token: alice.accessToken });
    expect(bad.status).toBe(400);
  });

  it('refuses bad input with a 4xx naming the field, and writes no command', async () => {
    const before = await api.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox_command');
    const post = (user: Session, body: unknown) =>
      api.request('POST', '/api/v1/relationships', { token: user.accessToken, body });
    const fieldsOf = (response: { body: { details?: Array<{ field: string }> } }) =>
      response.body.details?.map((detail) => detail.field);

    const self = await post(alice, { toFabricUserId: aliceId, type: 'FRIEND' });
    expect([self.status, fieldsOf(self)]).toEqual([400, ['toFabricUserId']]);
    const unknownType = await post(alice, { toFabricUserId: bobId, type: 'COUSIN' });
    expect([unknownType.status, fieldsOf(unknownType)]).toEqual([400, ['type']]);
    const malformed = await post(alice, { toFabricUserId: 'bob', type: 'FRIEND' });
    expect([malformed.status, fieldsOf(malformed)]).toEqual([400, ['toFabricUserId']]);
    const stranger = await post(alice, { toFabricUserId: 'SG 1B2 CDE123 1WXYZ 9876', type: 'FRIEND' });
    expect([stranger.status, fieldsOf(stranger)]).toEqual([400, ['toFabricUserId']]);
    const extra = await post(alice, { toFabricUserId: bobId, type: 'FRIEND', score: 100 });
    expect([extra.status, fieldsOf(extra)]).toEqual([400, ['score']]);
    // FRIEND (confirmed above) is still active between alice and bob.
    expect((await post(bob, { toFabricUserId: aliceId, type: 'FRIEND' })).status).toBe(409);
    const notOnLedger = await post(await api.registerUser(), { toFabricUserId: bobId, type: 'FRIEND' });
    expect(notOnLedger.status).toBe(403);

    const act = (user: Session, id: string, action: string) =>
      api.request('POST', `/api/v1/relationships/${id}/${action}`, { token: user.accessToken });
    const mine = (await api.request('GET', '/api/v1/relationships?limit=1', { token: alice.accessToken })).body
      .items[0];
    expect((await act(alice, '0'.repeat(32), 'end')).status).toBe(404);
    const badId = await act(alice, 'not-an-id', 'end');
    expect([badId.status, fieldsOf(badId)]).toEqual([400, ['id']]);
    // Someone else's relationship is invisible: 404, as if it did not exist.
    expect((await act(carol, mine.relationshipId, 'end')).status).toBe(404);
    // Ended or confirmed: nothing to confirm.
    expect((await act(bob, mine.relationshipId, 'confirm')).status).toBe(409);
    const after = await api.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox_command');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('lets only the other party answer; a rejected request changes no score', async () => {
    // MOTHER ended above, so the pair may ask for it again.
    const { relationshipId } = await projected(alice, '/api/v1/relationships', {
      toFabricUserId: bobId,
      type: 'MOTHER',
    });
    const byRequester = await api.request('POST', `/api/v1/relationships/${relationshipId}/confirm`, {
      token: alice.accessToken,
    });
    expect(byRequester.status).toBe(403);
    await projected(bob, `/api/v1/relationships/${relationshipId}/reject`);
    expect((await trustOf(bob)).score).toBe(71);
    const list = await api.request('GET', '/api/v1/relationships?limit=1', { token: bob.accessToken });
    expect(list.body.items[0]).toMatchObject({ relationshipId, status: 'REJECTED' });
  });

  it('refusals only the ledger can make end the command FAILED with their GX_ code', async () => {
    // Commands that skip the API's read-model checks, as a stale read model could let through: the ledger is
    // the judge. FATHER ended above, so a new one is accepted; a second while it is pending is not.
    const { relationshipId } = await projected(alice, '/api/v1/relationships', {
      toFabricUserId: bobId,
      type: 'FATHER',
    });
    const verdict = async (command: Promise<EnqueuedCommand>) => follow((await command).commandId, alice.accessToken);
    const duplicate = await verdict(
      enqueueCommand(api.db.pool, {
        commandType: 'REQUEST_RELATIONSHIP',
        payload: { fromFabricUserId: bobId, toFabricUserId: aliceId, type: 'FATHER' },
        submittedBy: alice.profileId,
      }),
    );
    expect(duplicate.event).toBe('failed');
    expect(String(duplicate.data.error)).toContain('GX_RELATIONSHIP_EXISTS');
    const byRequester = await verdict(
      enqueueCommand(api.db.pool, {
        commandType: 'CONFIRM_RELATIONSHIP',
        payload: { relationshipId: relationshipId ?? '', byFabricUserId: aliceId, otherFabricUserId: bobId },
        submittedBy: alice.profileId,
      }),
    );
    expect(byRequester.event).toBe('failed');
    expect(String(byRequester.data.error)).toContain('GX_NOT_A_PARTY');
    expect((await trustOf(alice)).score).toBe(71);
  });
});
