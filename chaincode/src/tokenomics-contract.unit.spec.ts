import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminContract } from './admin-contract';
import { parseEvent, type SystemParams } from './events';
import { IdentityContract } from './identity-contract';
import { newUser, requestId, systemParams } from './testing/fixtures';
import { createTestIdentities } from './testing/identities';
import { MemoryWorld } from './testing/memory-world';
import { TokenomicsContract } from './tokenomics-contract';
import { keys } from './world-state';

type Identities = Awaited<ReturnType<typeof createTestIdentities>>;

let ids: Identities;
let world: MemoryWorld;
const admin = new AdminContract();
const identity = new IdentityContract();
const tokenomics = new TokenomicsContract();

beforeAll(async () => {
  ids = await createTestIdentities();
});
beforeEach(() => {
  world = new MemoryWorld();
});

const bootstrap = (params: SystemParams = systemParams()) =>
  world.invoke(ids.superAdmin, (ctx) => admin.BootstrapSystem(ctx, requestId(), JSON.stringify(params)));
const createUser = async () => {
  const user = newUser();
  await world.invoke(ids.registrar, (ctx) => identity.CreateUser(ctx, requestId(), user.fabricUserId, user.userJson));
  return user.fabricUserId;
};
const genesis = (fabricUserId: string, id = requestId()) =>
  world.invoke(ids.admin, (ctx) => tokenomics.DistributeGenesis(ctx, id, fabricUserId));
const transfer = (from: string, to: string, amount: string, memo = '', id = requestId()) =>
  world.invoke(ids.transfer, (ctx) => tokenomics.TransferTokens(ctx, id, from, to, amount, memo));
const balance = async (account: string): Promise<bigint> =>
  BigInt(JSON.parse(await world.invoke(ids.reader, (ctx) => tokenomics.GetBalance(ctx, account))).balance);
const totalSupply = async (): Promise<bigint> =>
  BigInt(JSON.parse(await world.invoke(ids.reader, (ctx) => tokenomics.GetTotalSupply(ctx))).totalSupply);
const lock = (fabricUserId: string) =>
  world.invoke(ids.registrar, (ctx) => identity.UpdateUserStatus(ctx, requestId(), fabricUserId, 'LOCKED', 'test'));
/** Sum of every wallet in the world state, read directly (not through the contract). */
const sumOfWallets = (): bigint =>
  [...world.state.entries()]
    .filter(([key]) => key.startsWith(keys.wallet('')))
    .reduce((sum, [, value]) => sum + BigInt(JSON.parse(Buffer.from(value).toString()).balance), 0n);

describe('TokenomicsContract.DistributeGenesis', () => {
  it('allocates from the tiers in order of recipients, once per user, growing the total supply', async () => {
    await bootstrap();
    const users = [await createUser(), await createUser(), await createUser(), await createUser()];
    expect(await totalSupply()).toBe(0n);

    const id = requestId();
    const first = await genesis(users[0]!, id);
    expect(parseEvent('GenesisDistributed', Buffer.from(first))).toMatchObject({
      ok: true,
      event: {
        payload: {
          version: 1,
          requestId: id,
          fabricUserId: users[0],
          amount: '1000',
          tier: 1,
          balance: '1000',
          totalSupply: '1000',
        },
      },
    });
    expect(JSON.parse(await genesis(users[1]!))).toMatchObject({ amount: '1000', tier: 1, totalSupply: '2000' });
    expect(JSON.parse(await genesis(users[2]!))).toMatchObject({ amount: '500', tier: 2, totalSupply: '2500' });
    await expect(genesis(users[3]!)).rejects.toThrow(/^GX_INSUFFICIENT_FUNDS: the genesis allocation is exhausted/);
    expect(await totalSupply()).toBe(2500n);
    expect(await balance(users[2]!)).toBe(500n);

    // Once per user; a replay of the first request returns its result and emits nothing.
    await expect(genesis(users[0]!)).rejects.toThrow(/^GX_ALREADY_EXISTS: /);
    const events = world.events.length;
    expect(await genesis(users[0]!, id)).toBe(first);
    expect(world.events).toHaveLength(events);
    expect(await totalSupply()).toBe(2500n);
    await expect(genesis(users[1]!, id)).rejects.toThrow(/^GX_REQUEST_ID_REUSED: /);
  });

  it('refuses before bootstrap, for unknown users and for locked users', async () => {
    const user = await createUser();
    await expect(genesis(user)).rejects.toThrow(/^GX_NOT_BOOTSTRAPPED: /);
    await bootstrap();
    await expect(genesis(newUser().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
    await lock(user);
    await expect(genesis(user)).rejects.toThrow(/^GX_ACCOUNT_LOCKED: /);
    expect(await totalSupply()).toBe(0n);
  });
});

describe('TokenomicsContract.TransferTokens', () => {
  async function funded(params?: SystemParams) {
    await bootstrap(params);
    const alice = await createUser();
    const bob = await createUser();
    await genesis(alice);
    return { alice, bob };
  }

  it('debits the amount, credits amount minus the rounded-down fee, and pays the fee to the collector', async () => {
    const { alice, bob } = await funded();
    const id = requestId();
    const result = await transfer(alice, bob, '250', 'rent', id);
    // 250 * 100 / 10000 = 2.5 → 2.
    expect(parseEvent('TransferCompleted', Buffer.from(result))).toMatchObject({
      ok: true,
      event: {
        name: 'TransferCompleted',
        payload: {
          version: 1,
          requestId: id,
          from: alice,
          to: bob,
          amount: '250',
          fee: '2',
          feeCollector: 'GX_FEE_COLLECTOR',
          memo: 'rent',
          fromBalance: '750',
          toBalance: '248',
          feeCollectorBalance: '2',
        },
      },
    });
    expect(world.events.at(-1)!.payload).toBe(result);
    expect([await balance(alice), await balance(bob), await balance('GX_FEE_COLLECTOR')]).toEqual([750n, 248n, 2n]);
    expect(sumOfWallets()).toBe(await totalSupply());
  });

  it('replays a transfer without moving tokens again or emitting; rejects its id for another amount', async () => {
    const { alice, bob } = await funded();
    const id = requestId();
    const first = await transfer(alice, bob, '100', '', id);
    const events = world.events.length;
    expect(await transfer(alice, bob, '100', '', id)).toBe(first);
    expect(world.events).toHaveLength(events);
    expect(await balance(alice)).toBe(900n);
    await expect(transfer(alice, bob, '101', '', id)).rejects.toThrow(/^GX_REQUEST_ID_REUSED: /);
    expect(await balance(alice)).toBe(900n);
  });

  it('rejects malformed and non-positive amounts, self-transfers and over-long memos', async () => {
    const { alice, bob } = await funded();
    for (const amount of ['0', '-5', '01', '1.5', '1e3', 'abc', '', ' 5', '9'.repeat(79)]) {
      await expect(transfer(alice, bob, amount)).rejects.toThrow(/^GX_INVALID_ARGUMENT: amount must be a positive/);
    }
    await expect(transfer(alice, alice, '1')).rejects.toThrow(/^GX_INVALID_ARGUMENT: cannot transfer to the sending/);
    await expect(transfer(alice, bob, '1', 'm'.repeat(257))).rejects.toThrow(/^GX_INVALID_ARGUMENT: memo/);
    await expect(transfer('alice', bob, '1')).rejects.toThrow(/^GX_INVALID_ARGUMENT: from "alice" is not a Fabric/);
    expect(await balance(alice)).toBe(1000n);
  });

  it('rejects unknown and locked accounts on either side', async () => {
    const { alice, bob } = await funded();
    const stranger = newUser().fabricUserId;
    await expect(transfer(alice, stranger, '1')).rejects.toThrow(/^GX_NOT_FOUND: user .* does not exist/);
    await expect(transfer(stranger, alice, '1')).rejects.toThrow(/^GX_NOT_FOUND: /);
    await lock(bob);
    await expect(transfer(alice, bob, '1')).rejects.toThrow(/^GX_ACCOUNT_LOCKED: /);
    await expect(transfer(bob, alice, '1')).rejects.toThrow(/^GX_ACCOUNT_LOCKED: /);
    await lock(alice);
    const carol = await createUser();
    await expect(transfer(alice, carol, '1')).rejects.toThrow(/^GX_ACCOUNT_LOCKED: /);
    expect(await balance(alice)).toBe(1000n);
  });

  it('answers a sender who cannot pay with insufficient funds, whatever the recipient is (issue 29)', async () => {
    // The balance is checked before the recipient: a refusal never tells a poor sender whether an unrelated
    // account exists or is locked.
    const { alice, bob } = await funded();
    const locked = await createUser();
    await lock(locked);
    for (const to of [newUser().fabricUserId, locked, alice]) {
      await expect(transfer(bob, to, '1')).rejects.toThrow(/^GX_INSUFFICIENT_FUNDS: /);
    }
  });

  it('never lets a balance go negative: exactly the whole balance can be sent, one unit more cannot', async () => {
    const { alice, bob } = await funded();
    await expect(transfer(alice, bob, '1001')).rejects.toThrow(
      /^GX_INSUFFICIENT_FUNDS: .* holds 1000, cannot send 1001/,
    );
    await expect(transfer(bob, alice, '1')).rejects.toThrow(/^GX_INSUFFICIENT_FUNDS: /);
    await transfer(alice, bob, '1000');
    expect(await balance(alice)).toBe(0n);
    expect(await balance(bob)).toBe(990n);
    await expect(transfer(alice, bob, '1')).rejects.toThrow(/^GX_INSUFFICIENT_FUNDS: /);
  });

  it('conserves the total supply across many transfers, including rejected ones', async () => {
    await bootstrap(systemParams({ genesisTiers: [{ recipients: 10, amount: '1000' }] }));
    const users: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      users.push(await createUser());
      await genesis(users[i]!);
    }
    // Deterministic pseudo-random walk (LCG): amounts up to 400 so some transfers overdraw and are rejected.
    let seed = 42;
    const next = (max: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % max;
    };
    let rejected = 0;
    for (let i = 0; i < 150; i += 1) {
      const from = users[next(users.length)]!;
      const to = users[next(users.length)]!;
      if (from === to) continue;
      await transfer(from, to, String(1 + next(400))).catch((error: Error) => {
        expect(error.message).toMatch(/^GX_INSUFFICIENT_FUNDS: /);
        rejected += 1;
      });
      expect(sumOfWallets()).toBe(6000n);
    }
    expect(rejected).toBeGreaterThan(0);
    expect(await totalSupply()).toBe(6000n);
    for (const user of [...users, 'GX_FEE_COLLECTOR']) expect(await balance(user)).toBeGreaterThanOrEqual(0n);
    expect(await balance('GX_FEE_COLLECTOR')).toBeGreaterThan(0n);
  });

  it('computes with BigInt beyond 2^53', async () => {
    const huge = '1000000000000000000000000000'; // 10^27
    const { alice, bob } = await funded(systemParams({ genesisTiers: [{ recipients: 5, amount: huge }] }));
    const result = JSON.parse(await transfer(alice, bob, '999999999999999999999999999'));
    // fee = floor((10^27 - 1) / 100) = 9999999999999999999999999
    expect(result).toMatchObject({
      fee: '9999999999999999999999999',
      fromBalance: '1',
      toBalance: '990000000000000000000000000',
      feeCollectorBalance: '9999999999999999999999999',
    });
    expect(sumOfWallets()).toBe(BigInt(huge));
  });

  it('leaves the collector out of the write set when the fee is zero', async () => {
    const { alice, bob } = await funded(systemParams({ transferFee: { basisPoints: 0, collector: 'GX_FEES' } }));
    expect(JSON.parse(await transfer(alice, bob, '99'))).toMatchObject({
      fee: '0',
      toBalance: '99',
      feeCollectorBalance: '0',
    });
    expect(world.state.has(keys.wallet('GX_FEES'))).toBe(false);
    expect(await balance('GX_FEES')).toBe(0n);
    await expect(balance('SOMETHING_ELSE')).rejects.toThrow(/^GX_INVALID_ARGUMENT: /);
  });

  it('credits fees to a user acting as collector, also when that user is the recipient or the sender', async () => {
    const a = newUser();
    const c = newUser();
    await bootstrap(systemParams({ transferFee: { basisPoints: 1000, collector: c.fabricUserId } }));
    for (const u of [a, c]) {
      await world.invoke(ids.registrar, (ctx) => identity.CreateUser(ctx, requestId(), u.fabricUserId, u.userJson));
      await genesis(u.fabricUserId);
    }
    // Recipient is the collector: it receives amount - fee plus the fee, i.e. the whole amount.
    expect(JSON.parse(await transfer(a.fabricUserId, c.fabricUserId, '100'))).toMatchObject({
      fee: '10',
      fromBalance: '900',
      toBalance: '1100',
      feeCollectorBalance: '1100',
    });
    // Sender is the collector: it pays the amount and gets the fee back.
    expect(JSON.parse(await transfer(c.fabricUserId, a.fabricUserId, '100'))).toMatchObject({
      fee: '10',
      fromBalance: '1010',
      toBalance: '990',
      feeCollectorBalance: '1010',
    });
    expect(sumOfWallets()).toBe(2000n);
  });

  it('refuses before bootstrap', async () => {
    const alice = await createUser();
    const bob = await createUser();
    await expect(transfer(alice, bob, '1')).rejects.toThrow(/^GX_NOT_BOOTSTRAPPED: /);
  });
});

describe('TokenomicsContract.GetBalance', () => {
  it('answers for users and for the fee collector, GX_NOT_FOUND for unknown users', async () => {
    await bootstrap();
    const user = await createUser();
    expect(await balance(user)).toBe(0n);
    await expect(balance(newUser().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
  });
});
