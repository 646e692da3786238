import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { functionRoles } from './authorization';
import { type EventPayload, parseEvent } from './events';
import { newUser, requestId } from './testing/fixtures';
import { createTestIdentities, type TestIdentities } from './testing/identities';
import { TestLedger } from './testing/ledger';
import {
  type RelationshipType,
  relationshipIdOf,
  relationshipPoints,
  relationshipTypes,
  type TrustScore,
  trustScoreOf,
} from './trust';
import { keys } from './world-state';

type Change = EventPayload<'RelationshipConfirmed'>;

let ids: TestIdentities;
let ledger: TestLedger;

beforeAll(async () => {
  ids = await createTestIdentities();
});
beforeEach(async () => {
  ledger = new TestLedger(ids);
  await ledger.bootstrap();
});

const asRegistrar = (body: Parameters<TestLedger['asAdmin']>[0]) => ledger.world.invoke(ids.registrar, body);
const request = async (from: string, to: string, type: string, id = requestId()): Promise<Change> =>
  JSON.parse(await asRegistrar((ctx) => ledger.identity.RequestRelationship(ctx, id, from, to, type))) as Change;
const confirm = async (relationshipId: string, by: string): Promise<Change> =>
  JSON.parse(
    await asRegistrar((ctx) => ledger.identity.ConfirmRelationship(ctx, requestId(), relationshipId, by)),
  ) as Change;
const reject = async (relationshipId: string, by: string): Promise<Change> =>
  JSON.parse(
    await asRegistrar((ctx) => ledger.identity.RejectRelationship(ctx, requestId(), relationshipId, by)),
  ) as Change;
const end = async (relationshipId: string, by: string): Promise<Change> =>
  JSON.parse(
    await asRegistrar((ctx) => ledger.identity.EndRelationship(ctx, requestId(), relationshipId, by)),
  ) as Change;
const scoreOf = (fabricUserId: string) =>
  ledger.query<TrustScore>((ctx) => ledger.identity.GetTrustScore(ctx, fabricUserId));
const user = async () => (await ledger.createUser(newUser())).fabricUserId;
/** A confirmed relationship of `type` from `from` to a fresh user (or `to`); returns the confirmation. */
const bond = async (from: string, type: RelationshipType, to?: string): Promise<Change> => {
  const other = to ?? (await user());
  const requested = await request(from, other, type);
  return confirm(requested.relationship.relationshipId, other);
};
const snapshot = () => new Map(ledger.world.state);

describe('relationships: the full path', () => {
  it('request → confirm raises both scores in the same transaction; end drops them; one event each', async () => {
    const [alice, bob] = [await user(), await user()];
    const id = requestId();
    const requested = await request(alice, bob, 'SIBLING', id);
    expect(requested.relationship).toEqual({
      relationshipId: relationshipIdOf(id),
      type: 'SIBLING',
      from: alice,
      to: bob,
      status: 'PENDING',
      requestedAt: requested.timestamp,
      updatedAt: requested.timestamp,
      endedBy: null,
    });
    expect(requested.trust).toEqual([]);
    expect((await scoreOf(alice)).score).toBe(10);

    const confirmed = await confirm(relationshipIdOf(id), bob);
    expect(confirmed.relationship.status).toBe('CONFIRMED');
    expect(confirmed.by).toBe(bob);
    expect(confirmed.trust.map((t) => [t.fabricUserId, t.score])).toEqual([
      [alice, 25],
      [bob, 25],
    ]);
    expect(await scoreOf(bob)).toEqual({
      fabricUserId: bob,
      score: 25,
      breakdown: { base: 10, family: 15, business: 0, friends: 0 },
      sums: { family: 15, business: 0, friends: 0 },
    });

    const ended = await end(relationshipIdOf(id), alice);
    expect(ended.relationship).toMatchObject({ status: 'ENDED', endedBy: alice });
    expect(ended.trust.map((t) => t.score)).toEqual([10, 10]);
    expect((await scoreOf(alice)).score).toBe(10);

    const events = ledger.events().slice(-3);
    expect(events.map((event) => event.name)).toEqual([
      'RelationshipRequested',
      'RelationshipConfirmed',
      'RelationshipEnded',
    ]);
    // The pair may bond again once the first relationship is final.
    await expect(request(bob, alice, 'SIBLING')).resolves.toMatchObject({ relationship: { status: 'PENDING' } });
  });

  it('is idempotent on the request id: a replay returns the first answer and emits nothing', async () => {
    const [alice, bob] = [await user(), await user()];
    const id = requestId();
    const first = await asRegistrar((ctx) => ledger.identity.RequestRelationship(ctx, id, alice, bob, 'FRIEND'));
    const eventCount = ledger.world.events.length;
    const replay = await asRegistrar((ctx) => ledger.identity.RequestRelationship(ctx, id, alice, bob, 'FRIEND'));
    expect(replay).toBe(first);
    expect(ledger.world.events).toHaveLength(eventCount);
    expect(parseEvent('RelationshipRequested', Buffer.from(first)).ok).toBe(true);
  });
});

describe('trust score: every type and every cap', () => {
  it.each(relationshipTypes.map((type) => [type, relationshipPoints[type].points] as const))(
    'one confirmed %s gives both parties 10 + %i',
    async (type, points) => {
      const alice = await user();
      const confirmed = await bond(alice, type);
      expect(confirmed.trust.map((t) => t.score)).toEqual([10 + points, 10 + points]);
      const group = relationshipPoints[type].group;
      expect((await scoreOf(alice)).breakdown[group]).toBe(points);
    },
  );

  it('two siblings give 30 family points before the cap', async () => {
    const alice = await user();
    await bond(alice, 'SIBLING');
    await bond(alice, 'SIBLING');
    expect(await scoreOf(alice)).toMatchObject({ score: 40, breakdown: { family: 30 }, sums: { family: 30 } });
  });

  it('caps family at 80: father + mother + spouse (85) count 80, and ending one leaves 55', async () => {
    const alice = await user();
    await bond(alice, 'FATHER');
    await bond(alice, 'MOTHER');
    const spouse = await bond(alice, 'SPOUSE');
    expect(await scoreOf(alice)).toMatchObject({ score: 90, breakdown: { family: 80 }, sums: { family: 85 } });
    await end(spouse.relationship.relationshipId, alice);
    expect(await scoreOf(alice)).toMatchObject({ score: 70, breakdown: { family: 60 } });
  });

  it('caps business at 10: three partners (15) count 10', async () => {
    const alice = await user();
    for (let i = 0; i < 3; i += 1) await bond(alice, 'BUSINESS_PARTNER');
    expect(await scoreOf(alice)).toMatchObject({ score: 20, breakdown: { business: 10 }, sums: { business: 15 } });
  });

  it('caps friends at 10: eleven friends count 10; ending one of them still leaves 10', async () => {
    const alice = await user();
    const friendships: Change[] = [];
    for (let i = 0; i < 11; i += 1) friendships.push(await bond(alice, 'FRIEND'));
    expect(await scoreOf(alice)).toMatchObject({ score: 20, breakdown: { friends: 10 }, sums: { friends: 11 } });
    await end(friendships[0]!.relationship.relationshipId, alice);
    expect(await scoreOf(alice)).toMatchObject({ score: 20, sums: { friends: 10 } });
  });

  it('keeps the total at 100: every cap reached gives 10 + 80 + 10 + 10, at most 100', async () => {
    const alice = await user();
    for (const type of ['FATHER', 'MOTHER', 'SPOUSE'] as const) await bond(alice, type);
    for (let i = 0; i < 2; i += 1) await bond(alice, 'BUSINESS_PARTNER');
    for (let i = 0; i < 10; i += 1) await bond(alice, 'FRIEND');
    expect(await scoreOf(alice)).toMatchObject({
      score: 100,
      breakdown: { base: 10, family: 80, business: 10, friends: 10 },
    });
    expect(trustScoreOf(alice, { family: 500, business: 500, friends: 500 }).score).toBe(100);
  });
});

describe('relationship rules: each refusal has its code and writes nothing', () => {
  it('refuses a relationship with oneself, an unknown or locked user, an unknown type', async () => {
    const [alice, bob] = [await user(), await user()];
    const stranger = newUser().fabricUserId;
    const before = snapshot();
    await expect(request(alice, alice, 'FRIEND')).rejects.toThrow(/^GX_RELATIONSHIP_WITH_SELF: toFabricUserId/);
    await expect(request(alice, stranger, 'FRIEND')).rejects.toThrow(/^GX_NOT_FOUND: user/);
    await expect(request(alice, bob, 'COUSIN')).rejects.toThrow(/^GX_INVALID_ARGUMENT: type must be one of/);
    await expect(request(alice, 'nobody', 'FRIEND')).rejects.toThrow(/^GX_INVALID_ARGUMENT: toFabricUserId/);
    expect(ledger.world.state).toEqual(before);

    await asRegistrar((ctx) => ledger.identity.UpdateUserStatus(ctx, requestId(), bob, 'LOCKED', 'test'));
    const locked = snapshot();
    await expect(request(alice, bob, 'FRIEND')).rejects.toThrow(/^GX_ACCOUNT_LOCKED: toFabricUserId/);
    await expect(request(bob, alice, 'FRIEND')).rejects.toThrow(/^GX_ACCOUNT_LOCKED: fromFabricUserId/);
    expect(ledger.world.state).toEqual(locked);
  });

  it('refuses a duplicate active relationship of the same type in either direction, not of another type', async () => {
    const [alice, bob] = [await user(), await user()];
    const pending = await request(alice, bob, 'FRIEND');
    const before = snapshot();
    await expect(request(alice, bob, 'FRIEND')).rejects.toThrow(/^GX_RELATIONSHIP_EXISTS/);
    await expect(request(bob, alice, 'FRIEND')).rejects.toThrow(/^GX_RELATIONSHIP_EXISTS/);
    expect(ledger.world.state).toEqual(before);
    await confirm(pending.relationship.relationshipId, bob);
    await expect(request(bob, alice, 'FRIEND')).rejects.toThrow(/^GX_RELATIONSHIP_EXISTS/);
    await expect(request(bob, alice, 'DIRECTOR')).resolves.toMatchObject({ relationship: { type: 'DIRECTOR' } });
  });

  it('lets only the other party confirm or reject, and only a pending request', async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    const { relationshipId } = (await request(alice, bob, 'SPOUSE')).relationship;
    const before = snapshot();
    await expect(confirm(relationshipId, alice)).rejects.toThrow(/^GX_NOT_A_PARTY: byFabricUserId/);
    await expect(confirm(relationshipId, carol)).rejects.toThrow(/^GX_NOT_A_PARTY/);
    await expect(reject(relationshipId, alice)).rejects.toThrow(/^GX_NOT_A_PARTY/);
    await expect(confirm('0'.repeat(32), bob)).rejects.toThrow(/^GX_NOT_FOUND: relationship/);
    await expect(confirm('not-an-id', bob)).rejects.toThrow(/^GX_INVALID_ARGUMENT: relationshipId/);
    expect(ledger.world.state).toEqual(before);

    const rejected = await reject(relationshipId, bob);
    expect(rejected).toMatchObject({ relationship: { status: 'REJECTED' }, trust: [] });
    expect((await scoreOf(bob)).score).toBe(10);
    const afterReject = snapshot();
    await expect(confirm(relationshipId, bob)).rejects.toThrow(/^GX_RELATIONSHIP_STATE: .* is REJECTED/);
    await expect(end(relationshipId, alice)).rejects.toThrow(/^GX_RELATIONSHIP_STATE/);
    expect(ledger.world.state).toEqual(afterReject);
    // Rejection frees the pair for a new request.
    await expect(request(alice, bob, 'SPOUSE')).resolves.toMatchObject({ relationship: { status: 'PENDING' } });
  });

  it('refuses to confirm while the requester is locked', async () => {
    const [alice, bob] = [await user(), await user()];
    const { relationshipId } = (await request(alice, bob, 'MOTHER')).relationship;
    await asRegistrar((ctx) => ledger.identity.UpdateUserStatus(ctx, requestId(), alice, 'LOCKED', 'test'));
    await expect(confirm(relationshipId, bob)).rejects.toThrow(/^GX_ACCOUNT_LOCKED: fromFabricUserId/);
  });

  it('lets either party end, nobody else, once; ending a pending request changes no score', async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    const confirmed = await bond(alice, 'CHILD', bob);
    const { relationshipId } = confirmed.relationship;
    await expect(end(relationshipId, carol)).rejects.toThrow(/^GX_NOT_A_PARTY/);
    const ended = await end(relationshipId, bob);
    expect(ended.relationship.endedBy).toBe(bob);
    await expect(end(relationshipId, alice)).rejects.toThrow(/^GX_RELATIONSHIP_STATE: .* is ENDED/);

    const pending = await request(carol, alice, 'FRIEND');
    const withdrawn = await end(pending.relationship.relationshipId, carol);
    expect(withdrawn).toMatchObject({ relationship: { status: 'ENDED' }, trust: [] });
    expect(ledger.world.read(keys.trust(carol))).toBeUndefined();
  });

  it('needs the registrar role for every relationship function', async () => {
    for (const fn of ['Request', 'Confirm', 'Reject', 'End'].map((verb) => `IdentityContract:${verb}Relationship`)) {
      expect(functionRoles[fn as keyof typeof functionRoles]).toBe('registrar');
    }
    const [alice, bob] = [await user(), await user()];
    await expect(
      ledger.world.invoke(ids.transfer, (ctx) =>
        ledger.identity.RequestRelationship(ctx, requestId(), alice, bob, 'FRIEND'),
      ),
    ).rejects.toThrow(/^GX_FORBIDDEN: IdentityContract:RequestRelationship needs gx.role=registrar/);
  });
});
