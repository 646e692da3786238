import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEvent } from './events';
import { profileDigest } from './profile-digest';
import { treasuryIdOf } from './system-params';
import { GX, individual, newUser, requestId, systemParams, userTransient } from './testing/fixtures';
import { createTestIdentities, type TestIdentities } from './testing/identities';
import { TestLedger } from './testing/ledger';

let ids: TestIdentities;
let ledger: TestLedger;

beforeAll(async () => {
  ids = await createTestIdentities();
});
beforeEach(async () => {
  ledger = new TestLedger(ids);
  await ledger.bootstrap();
});

const createUser = (id: string, fabricUserId: string, userJson: string) =>
  ledger.world.invoke(
    ids.registrar,
    (ctx) => ledger.identity.CreateUser(ctx, id, fabricUserId),
    userTransient(userJson),
  );
const getUser = (fabricUserId: string) =>
  ledger.world.invoke(ids.reader, (ctx) => ledger.identity.GetUser(ctx, fabricUserId));
const setStatus = (id: string, fabricUserId: string, status: string, reason: string) =>
  ledger.world.invoke(ids.registrar, (ctx) => ledger.identity.UpdateUserStatus(ctx, id, fabricUserId, status, reason));
/** The committed state, to show a refused call wrote nothing. */
const snapshot = () => new Map(ledger.world.state);

describe('IdentityContract.CreateUser', () => {
  it('creates the user, its wallet and its genesis in one transaction, emitting one UserCreated v3', async () => {
    const user = individual({ countryCode: 'SG', gender: 'male' });
    const id = requestId();
    const result = await createUser(id, user.fabricUserId, user.userJson);

    expect(ledger.world.events.map((event) => event.name)).toEqual(['SystemBootstrapped', 'UserCreated']);
    expect(ledger.world.events[1]!.payload).toBe(result);
    expect(parseEvent('UserCreated', Buffer.from(result))).toEqual({
      ok: true,
      event: {
        name: 'UserCreated',
        payload: {
          version: 3,
          requestId: id,
          fabricUserId: user.fabricUserId,
          profileDigest: profileDigest(user.profileId),
          countryCode: 'SG',
          accountType: 0,
          status: 'ACTIVE',
          wallet: { fabricUserId: user.fabricUserId, balance: (500n * GX).toString() },
          genesis: {
            outcome: 'ALLOCATED',
            phase: 1,
            userAmount: (500n * GX).toString(),
            treasuryAmount: (50n * GX).toString(),
            treasuryId: treasuryIdOf('SG'),
            treasuryBalance: (50n * GX).toString(),
            phaseUsed: 1,
          },
          timestamp: '2026-01-01T00:00:02.123Z',
        },
      },
    });
    expect(JSON.parse(await getUser(user.fabricUserId))).toEqual({
      fabricUserId: user.fabricUserId,
      profileDigest: profileDigest(user.profileId),
      countryCode: 'SG',
      accountType: 0,
      status: 'ACTIVE',
      statusReason: '',
      createdAt: '2026-01-01T00:00:02.123Z',
      updatedAt: '2026-01-01T00:00:02.123Z',
    });
    expect(await ledger.balance(user.fabricUserId)).toBe(500n * GX);
    expect(await ledger.balance(treasuryIdOf('SG'))).toBe(50n * GX);
    // The identity digest (a hash over the e-mail) is checked, never stored; nor are the birth date, the gender
    // or the profile id (the id itself encodes birth date and gender; the profile is kept as a digest).
    const stored = [...ledger.world.state.entries()].map(([key, value]) => `${key}=${Buffer.from(value).toString()}`);
    for (const secret of [user.user.identityDigest, '1988-03-14', '"male"', '"gender"', user.profileId]) {
      expect(
        stored.filter((entry) => entry.includes(secret)),
        secret,
      ).toEqual([]);
      expect(result, secret).not.toContain(secret);
    }
  });

  it('rejects an id whose fields disagree with the transient facts, naming each mismatch, writing nothing', async () => {
    const user = individual();
    const before = snapshot();
    const mismatches: Array<[Partial<typeof user.user>, RegExp]> = [
      // Another digest whose first hex digit (part of the checksum) surely differs.
      [
        {
          identityDigest: `${user.user.identityDigest.startsWith('a') ? 'b' : 'a'}${user.user.identityDigest.slice(1)}`,
        },
        /checksum/,
      ],
      [{ dateOfBirth: '1988-03-15' }, /birth field encodes 1988-03-14\/female/],
      [{ gender: 'other' }, /birth field/],
      [{ accountType: 2 }, /account type 0 does not match accountType 2/],
    ];
    for (const [override, message] of mismatches) {
      const attempt = createUser(requestId(), user.fabricUserId, JSON.stringify({ ...user.user, ...override }));
      await expect(attempt).rejects.toThrow(/^GX_INVALID_ARGUMENT: fabricUserId does not match the user/);
      await expect(
        createUser(requestId(), user.fabricUserId, JSON.stringify({ ...user.user, ...override })),
      ).rejects.toThrow(message);
    }
    expect(ledger.world.state).toEqual(before);
  });

  it('rejects a malformed id and missing or malformed transient facts, naming the field', async () => {
    const user = individual();
    const before = snapshot();
    await expect(createUser(requestId(), user.fabricUserId.toLowerCase(), user.userJson)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: fabricUserId .* is not a Fabric user id/,
    );
    await expect(createUser(requestId(), user.fabricUserId, 'nope')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: transient "user" is not JSON/,
    );
    await expect(
      ledger.world.invoke(ids.registrar, (ctx) => ledger.identity.CreateUser(ctx, requestId(), user.fabricUserId)),
    ).rejects.toThrow(/^GX_INVALID_ARGUMENT: transient "user": missing/);
    const noProfile = JSON.stringify({ ...user.user, profileId: undefined, gender: 'robot' });
    await expect(createUser(requestId(), user.fabricUserId, noProfile)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: invalid transient "user": profileId: .*; gender: /,
    );
    expect(ledger.world.state).toEqual(before);
  });

  it('refuses a country that was not bootstrapped (GX_NOT_FOUND) and the treasury and system account types', async () => {
    const before = snapshot();
    const stranger = individual({ countryCode: 'FR' });
    await expect(createUser(requestId(), stranger.fabricUserId, stranger.userJson)).rejects.toThrow(
      /^GX_NOT_FOUND: fabricUserId: country FR is not in the bootstrapped country table/,
    );
    for (const [accountType, digit] of [
      [6, '6'],
      [15, 'F'],
    ] as const) {
      const user = newUser({ accountType });
      await expect(createUser(requestId(), user.fabricUserId, user.userJson)).rejects.toThrow(
        new RegExp(`^GX_INVALID_ARGUMENT: accountType ${digit}: treasuries and system pools exist only by bootstrap`),
      );
    }
    expect(ledger.world.state).toEqual(before);
  });

  it('rejects a date of birth after the transaction date', async () => {
    // The test world's transactions happen on 2026-01-01.
    const unborn = individual({ dateOfBirth: '2026-06-01' });
    await expect(createUser(requestId(), unborn.fabricUserId, unborn.userJson)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: dateOfBirth 2026-06-01 is after the transaction date/,
    );
    const newborn = individual({ dateOfBirth: '2025-12-31' });
    expect(JSON.parse(await createUser(requestId(), newborn.fabricUserId, newborn.userJson)).genesis.outcome).toBe(
      'INELIGIBLE_AGE',
    );
  });

  it('rejects a second user with the same id or the same profile', async () => {
    const user = individual();
    await createUser(requestId(), user.fabricUserId, user.userJson);
    await expect(createUser(requestId(), user.fabricUserId, user.userJson)).rejects.toThrow(
      /^GX_ALREADY_EXISTS: user .* already exists/,
    );
    const other = individual();
    const sameProfile = JSON.stringify({ ...other.user, profileId: user.profileId });
    await expect(createUser(requestId(), other.fabricUserId, sameProfile)).rejects.toThrow(
      new RegExp(`^GX_ALREADY_EXISTS: profile "${user.profileId}" already has user`),
    );
    await expect(getUser(other.fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
    expect(ledger.world.events).toHaveLength(2);
  });

  it('replays a request with the first result and no event; rejects its id with other facts or functions', async () => {
    const user = individual();
    const id = requestId();
    const first = await createUser(id, user.fabricUserId, user.userJson);
    expect(await createUser(id, user.fabricUserId, user.userJson)).toBe(first);
    expect(ledger.world.events).toHaveLength(2);

    // The idempotency hash covers the transient facts too.
    const otherFacts = JSON.stringify({ ...user.user, profileId: individual().profileId });
    await expect(createUser(id, user.fabricUserId, otherFacts)).rejects.toThrow(/^GX_REQUEST_ID_REUSED: /);
    await expect(setStatus(id, user.fabricUserId, 'LOCKED', 'x')).rejects.toThrow(
      /^GX_REQUEST_ID_REUSED: request id .* was already used for IdentityContract:CreateUser/,
    );
    expect(ledger.world.events).toHaveLength(2);
  });
});

describe('genesis inside CreateUser', () => {
  /** Registers an individual of `countryCode`; returns the genesis block of its event. */
  const register = async (countryCode: string, overrides: Parameters<typeof newUser>[0] = {}) =>
    (await ledger.createUser(newUser({ countryCode, accountType: 0, ...overrides }))).genesis;

  it("serves a country's phases in order, slot by slot, then 0 with EXHAUSTED; other countries are untouched", async () => {
    // MY: 2 slots in phase 1 (500 GX, treasury 50), 4 in phase 2 (100 GX, treasury 10).
    const outcomes = [];
    for (let i = 0; i < 7; i += 1) outcomes.push(await register('MY'));
    expect(outcomes.map((g) => [g.outcome, g.phase, g.phaseUsed, g.userAmount])).toEqual([
      ['ALLOCATED', 1, 1, (500n * GX).toString()],
      ['ALLOCATED', 1, 2, (500n * GX).toString()],
      ['ALLOCATED', 2, 1, (100n * GX).toString()],
      ['ALLOCATED', 2, 2, (100n * GX).toString()],
      ['ALLOCATED', 2, 3, (100n * GX).toString()],
      ['ALLOCATED', 2, 4, (100n * GX).toString()],
      ['EXHAUSTED', null, null, '0'],
    ]);
    expect(outcomes[6]!.treasuryAmount).toBe('0');
    const treasury = 2n * 50n * GX + 4n * 10n * GX;
    expect(outcomes[6]!.treasuryBalance).toBe(treasury.toString());
    expect(await ledger.balance(treasuryIdOf('MY'))).toBe(treasury);
    // SG has its own slots: its first user is still served from phase 1.
    expect(await register('SG')).toMatchObject({ outcome: 'ALLOCATED', phase: 1, phaseUsed: 1 });
    expect(await ledger.query((ctx) => ledger.tokenomics.GetCountry(ctx, 'MY'))).toMatchObject({
      code: 'MY',
      sharePpb: 500_000_000,
      treasuryStatus: 'LOCKED',
      treasuryBalance: treasury.toString(),
      phases: [
        { phase: 1, slots: 2, used: 2 },
        { phase: 2, slots: 4, used: 4 },
      ],
      currentPhase: null,
    });
  });

  it('moves to the next phase when a country has no slot at all in a phase (rounded down to 0)', async () => {
    // ID's share of phase 1's 3 users is ⌊0.75⌋ = 0 slots; of phase 2's 8, 2.
    ledger = new TestLedger(ids);
    const params = systemParams();
    await ledger.bootstrap(
      systemParams({
        genesis: { ...params.genesis, phases: [{ ...params.genesis.phases[0]!, limit: 3 }, params.genesis.phases[1]!] },
      }),
    );
    expect(await register('ID')).toMatchObject({ outcome: 'ALLOCATED', phase: 2, phaseUsed: 1 });
  });

  it('is for ages 13 to 73 inclusive at the transaction date (2026-01-01): birthdays on that date count', async () => {
    expect((await register('MY', { dateOfBirth: '2013-01-02' })).outcome).toBe('INELIGIBLE_AGE'); // 12
    expect((await register('MY', { dateOfBirth: '2013-01-01' })).outcome).toBe('ALLOCATED'); // 13 today
    expect((await register('MY', { dateOfBirth: '1952-01-02' })).outcome).toBe('ALLOCATED'); // 73
    expect((await register('MY', { dateOfBirth: '1952-01-01' })).outcome).toBe('INELIGIBLE_AGE'); // 74 today
    // Ineligible users took no slot: the two eligible ones used phase 1.
    expect((await register('MY')).phase).toBe(2);
  });

  it('gives individuals only: other account types are registered with 0, take no slot, fund no treasury', async () => {
    for (const accountType of [1, 2, 7]) {
      const genesis = await register('MY', { accountType });
      expect(genesis).toEqual({
        outcome: 'NOT_INDIVIDUAL',
        phase: null,
        userAmount: '0',
        treasuryAmount: '0',
        treasuryId: treasuryIdOf('MY'),
        treasuryBalance: '0',
        phaseUsed: null,
      });
    }
    expect((await register('MY')).phaseUsed).toBe(1);
  });

  it('is decided once: DistributeGenesis then fails GX_ALREADY_EXISTS (GX_NOT_FOUND for an unknown user)', async () => {
    const user = individual();
    await ledger.createUser(user);
    const before = snapshot();
    const distribute = (fabricUserId: string) =>
      ledger.asAdmin((ctx) => ledger.tokenomics.DistributeGenesis(ctx, requestId(), fabricUserId));
    await expect(distribute(user.fabricUserId)).rejects.toThrow(
      /^GX_ALREADY_EXISTS: the genesis of ".*" was decided at its creation \(ALLOCATED\)/,
    );
    await expect(distribute(individual().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
    expect(ledger.world.state).toEqual(before);
  });

  it('is refused while the system is paused: no user is half registered', async () => {
    await ledger.asSuperAdmin((ctx) => ledger.admin.PauseSystem(ctx, requestId(), 'incident'));
    const before = snapshot();
    await expect(register('MY')).rejects.toThrow(/^GX_SYSTEM_PAUSED: the system is paused: incident/);
    expect(ledger.world.state).toEqual(before);
  });
});

describe('IdentityContract.GetUser', () => {
  it('rejects a malformed id and an unknown one', async () => {
    await expect(getUser('MY 123')).rejects.toThrow(/^GX_INVALID_ARGUMENT: /);
    await expect(getUser(individual().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
  });
});

describe('IdentityContract.UpdateUserStatus', () => {
  it('locks and unlocks a user, emitting UserStatusChanged each time', async () => {
    const user = individual();
    await ledger.createUser(user);
    const lockId = requestId();
    const locked = await setStatus(lockId, user.fabricUserId, 'LOCKED', 'suspected fraud');
    expect(JSON.parse(locked)).toEqual({
      version: 1,
      requestId: lockId,
      fabricUserId: user.fabricUserId,
      status: 'LOCKED',
      reason: 'suspected fraud',
      timestamp: '2026-01-01T00:00:03.123Z',
    });
    expect(parseEvent('UserStatusChanged', Buffer.from(locked)).ok).toBe(true);
    expect(JSON.parse(await getUser(user.fabricUserId))).toMatchObject({
      status: 'LOCKED',
      statusReason: 'suspected fraud',
      createdAt: '2026-01-01T00:00:02.123Z',
      updatedAt: '2026-01-01T00:00:03.123Z',
    });
    expect(await setStatus(lockId, user.fabricUserId, 'LOCKED', 'suspected fraud')).toBe(locked);

    await setStatus(requestId(), user.fabricUserId, 'ACTIVE', 'cleared');
    expect(JSON.parse(await getUser(user.fabricUserId))).toMatchObject({ status: 'ACTIVE', statusReason: 'cleared' });
    expect(ledger.world.events.map((event) => event.name)).toEqual([
      'SystemBootstrapped',
      'UserCreated',
      'UserStatusChanged',
      'UserStatusChanged',
    ]);
  });

  it('rejects an unknown status, an over-long reason and an unknown user', async () => {
    const user = individual();
    await ledger.createUser(user);
    await expect(setStatus(requestId(), user.fabricUserId, 'FROZEN', '')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: status must be one of ACTIVE, LOCKED/,
    );
    await expect(setStatus(requestId(), user.fabricUserId, 'LOCKED', 'x'.repeat(501))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: reason/,
    );
    await expect(setStatus(requestId(), individual().fabricUserId, 'LOCKED', '')).rejects.toThrow(/^GX_NOT_FOUND: /);
    expect(ledger.world.events).toHaveLength(2);
  });
});
