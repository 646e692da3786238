import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEvent } from './events';
import { identityDigest } from './fabric-user-id';
import { IdentityContract } from './identity-contract';
import { profileDigest } from './profile-digest';
import { newUser, requestId } from './testing/fixtures';
import { createTestIdentities, type TestIdentity } from './testing/identities';
import { MemoryWorld } from './testing/memory-world';
import { TokenomicsContract } from './tokenomics-contract';

let registrar: TestIdentity;
let reader: TestIdentity;
let world: MemoryWorld;
const identity = new IdentityContract();

beforeAll(async () => {
  ({ registrar, reader } = await createTestIdentities());
});
beforeEach(() => {
  world = new MemoryWorld();
});

const createUser = (id: string, fabricUserId: string, userJson: string) =>
  world.invoke(registrar, (ctx) => identity.CreateUser(ctx, id, fabricUserId, userJson));
const getUser = (fabricUserId: string) => world.invoke(reader, (ctx) => identity.GetUser(ctx, fabricUserId));
const setStatus = (id: string, fabricUserId: string, status: string, reason: string) =>
  world.invoke(registrar, (ctx) => identity.UpdateUserStatus(ctx, id, fabricUserId, status, reason));

describe('IdentityContract.CreateUser', () => {
  it('creates the user and its wallet and emits one UserCreated carrying the wallet', async () => {
    const user = newUser({ countryCode: 'SG', gender: 'male', accountType: 12 });
    const id = requestId();
    const result = await createUser(id, user.fabricUserId, user.userJson);

    expect(world.events).toHaveLength(1);
    expect(world.events[0]!.payload).toBe(result);
    expect(parseEvent('UserCreated', Buffer.from(result))).toEqual({
      ok: true,
      event: {
        name: 'UserCreated',
        payload: {
          version: 2,
          requestId: id,
          fabricUserId: user.fabricUserId,
          profileDigest: profileDigest(user.profileId),
          countryCode: 'SG',
          accountType: 12,
          status: 'ACTIVE',
          wallet: { fabricUserId: user.fabricUserId, balance: '0' },
          timestamp: '2026-01-01T00:00:01.123Z',
        },
      },
    });
    expect(JSON.parse(await getUser(user.fabricUserId))).toEqual({
      fabricUserId: user.fabricUserId,
      profileDigest: profileDigest(user.profileId),
      countryCode: 'SG',
      accountType: 12,
      status: 'ACTIVE',
      statusReason: '',
      createdAt: '2026-01-01T00:00:01.123Z',
      updatedAt: '2026-01-01T00:00:01.123Z',
    });
    const balance = await world.invoke(reader, (ctx) => new TokenomicsContract().GetBalance(ctx, user.fabricUserId));
    expect(balance).toBe(`{"balance":"0","fabricUserId":"${user.fabricUserId}"}`);
    // The identity digest (a hash over the e-mail) is checked, never stored; nor are the birth date, the gender
    // or the profile id (the id itself encodes birth date and gender; the profile is kept as a digest).
    const stored = [...world.state.entries()].map(([key, value]) => `${key}=${Buffer.from(value).toString()}`);
    for (const secret of [user.user.identityDigest, '1988-03-14', '"male"', '"gender"', user.profileId]) {
      expect(
        stored.filter((entry) => entry.includes(secret)),
        secret,
      ).toEqual([]);
    }
    expect(world.events[0]!.payload).not.toContain(user.profileId);
  });

  it('rejects an id whose fields disagree with the user, naming each mismatch', async () => {
    const user = newUser();
    const mismatches: Array<[Partial<typeof user.user>, RegExp]> = [
      [{ countryCode: 'ID' }, /country MY does not match countryCode ID/],
      [
        { identityDigest: identityDigest({ email: 'x@y.z', dateOfBirth: '1988-03-14', countryCode: 'MY' }) },
        /checksum/,
      ],
      [{ dateOfBirth: '1988-03-15' }, /birth field encodes 1988-03-14\/female/],
      [{ gender: 'other' }, /birth field/],
      [{ accountType: 2 }, /account type 1 does not match accountType 2/],
    ];
    for (const [override, message] of mismatches) {
      const userJson = JSON.stringify({ ...user.user, ...override });
      const attempt = createUser(requestId(), user.fabricUserId, userJson);
      await expect(attempt).rejects.toThrow(/^GX_INVALID_ARGUMENT: fabricUserId does not match the user/);
      await expect(createUser(requestId(), user.fabricUserId, userJson)).rejects.toThrow(message);
    }
    expect(world.state.size).toBe(0);
    expect(world.events).toHaveLength(0);
  });

  it('rejects a malformed id and malformed user JSON', async () => {
    const user = newUser();
    await expect(createUser(requestId(), user.fabricUserId.toLowerCase(), user.userJson)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: fabricUserId .* is not a Fabric user id/,
    );
    await expect(createUser(requestId(), user.fabricUserId, 'nope')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: userJson is not JSON/,
    );
    const noProfile = JSON.stringify({ ...user.user, profileId: undefined, gender: 'robot' });
    await expect(createUser(requestId(), user.fabricUserId, noProfile)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: invalid userJson: profileId: .*gender/,
    );
  });

  it('rejects a date of birth after the transaction date', async () => {
    // The test world's transactions happen in January 2026.
    const unborn = newUser({ dateOfBirth: '2026-06-01' });
    await expect(createUser(requestId(), unborn.fabricUserId, unborn.userJson)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: dateOfBirth 2026-06-01 is after the transaction date/,
    );
    const newborn = newUser({ dateOfBirth: '2025-12-31' });
    await createUser(requestId(), newborn.fabricUserId, newborn.userJson);
  });

  it('rejects a second user with the same id or the same profileId', async () => {
    const user = newUser();
    await createUser(requestId(), user.fabricUserId, user.userJson);
    await expect(createUser(requestId(), user.fabricUserId, user.userJson)).rejects.toThrow(
      /^GX_ALREADY_EXISTS: user .* already exists/,
    );
    const other = newUser();
    const sameProfile = JSON.stringify({ ...other.user, profileId: user.profileId });
    await expect(createUser(requestId(), other.fabricUserId, sameProfile)).rejects.toThrow(
      new RegExp(`^GX_ALREADY_EXISTS: profile "${user.profileId}" already has user`),
    );
    await expect(getUser(other.fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
    expect(world.events).toHaveLength(1);
  });

  it('replays a request with the first result and no event; rejects its id for other arguments or functions', async () => {
    const user = newUser();
    const id = requestId();
    const first = await createUser(id, user.fabricUserId, user.userJson);
    expect(await createUser(id, user.fabricUserId, user.userJson)).toBe(first);
    expect(world.events).toHaveLength(1);

    const other = newUser();
    await expect(createUser(id, other.fabricUserId, other.userJson)).rejects.toThrow(/^GX_REQUEST_ID_REUSED: /);
    await expect(setStatus(id, user.fabricUserId, 'LOCKED', 'x')).rejects.toThrow(
      /^GX_REQUEST_ID_REUSED: request id .* was already used for IdentityContract:CreateUser/,
    );
    expect(world.events).toHaveLength(1);
  });
});

describe('IdentityContract.GetUser', () => {
  it('rejects a malformed id and an unknown one', async () => {
    await expect(getUser('MY 123')).rejects.toThrow(/^GX_INVALID_ARGUMENT: /);
    await expect(getUser(newUser().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
  });
});

describe('IdentityContract.UpdateUserStatus', () => {
  it('locks and unlocks a user, emitting UserStatusChanged each time', async () => {
    const user = newUser();
    await createUser(requestId(), user.fabricUserId, user.userJson);
    const lockId = requestId();
    const locked = await setStatus(lockId, user.fabricUserId, 'LOCKED', 'suspected fraud');
    expect(JSON.parse(locked)).toEqual({
      version: 1,
      requestId: lockId,
      fabricUserId: user.fabricUserId,
      status: 'LOCKED',
      reason: 'suspected fraud',
      timestamp: '2026-01-01T00:00:02.123Z',
    });
    expect(parseEvent('UserStatusChanged', Buffer.from(locked)).ok).toBe(true);
    expect(JSON.parse(await getUser(user.fabricUserId))).toMatchObject({
      status: 'LOCKED',
      statusReason: 'suspected fraud',
      createdAt: '2026-01-01T00:00:01.123Z',
      updatedAt: '2026-01-01T00:00:02.123Z',
    });
    expect(await setStatus(lockId, user.fabricUserId, 'LOCKED', 'suspected fraud')).toBe(locked);

    await setStatus(requestId(), user.fabricUserId, 'ACTIVE', 'cleared');
    expect(JSON.parse(await getUser(user.fabricUserId))).toMatchObject({ status: 'ACTIVE', statusReason: 'cleared' });
    expect(world.events.map((event) => event.name)).toEqual(['UserCreated', 'UserStatusChanged', 'UserStatusChanged']);
  });

  it('rejects an unknown status, an over-long reason and an unknown user', async () => {
    const user = newUser();
    await createUser(requestId(), user.fabricUserId, user.userJson);
    await expect(setStatus(requestId(), user.fabricUserId, 'FROZEN', '')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: status must be one of ACTIVE, LOCKED/,
    );
    await expect(setStatus(requestId(), user.fabricUserId, 'LOCKED', 'x'.repeat(501))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: reason/,
    );
    await expect(setStatus(requestId(), newUser().fabricUserId, 'LOCKED', '')).rejects.toThrow(/^GX_NOT_FOUND: /);
    expect(world.events).toHaveLength(1);
  });
});

describe('users stored before the privacy change', () => {
  it('refuses a second user for a profile keyed by its clear id, and drops the clear fields on the next write', async () => {
    const legacy = newUser();
    // What the chaincode stored before: the profile id as key and the birth date, gender and profile id in clear.
    world.state.set(`gx/profile/${legacy.profileId}`, Buffer.from(JSON.stringify(legacy.fabricUserId)));
    world.state.set(
      `gx/user/${legacy.fabricUserId}`,
      Buffer.from(
        JSON.stringify({
          accountType: 1,
          countryCode: 'MY',
          createdAt: '2025-01-01T00:00:00.000Z',
          dateOfBirth: '1988-03-14',
          fabricUserId: legacy.fabricUserId,
          gender: 'female',
          profileId: legacy.profileId,
          status: 'ACTIVE',
          statusReason: '',
          updatedAt: '2025-01-01T00:00:00.000Z',
        }),
      ),
    );
    const again = newUser();
    await expect(
      createUser(requestId(), again.fabricUserId, JSON.stringify({ ...again.user, profileId: legacy.profileId })),
    ).rejects.toThrow(/^GX_ALREADY_EXISTS: profile /);

    await setStatus(requestId(), legacy.fabricUserId, 'LOCKED', 'review');
    expect(JSON.parse(await getUser(legacy.fabricUserId))).toEqual({
      accountType: 1,
      countryCode: 'MY',
      createdAt: '2025-01-01T00:00:00.000Z',
      fabricUserId: legacy.fabricUserId,
      profileDigest: profileDigest(legacy.profileId),
      status: 'LOCKED',
      statusReason: 'review',
      // The refused CreateUser used the first transaction.
      updatedAt: '2026-01-01T00:00:02.123Z',
    });
  });
});
