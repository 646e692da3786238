import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SupplyResult } from './query-results';
import { poolIds, poolNames, treasuryIdOf } from './system-params';
import { GX, individual, type NewUserFixture, newUser, requestId, systemParams } from './testing/fixtures';
import { createTestIdentities, type TestIdentities } from './testing/identities';
import { TestLedger } from './testing/ledger';
import { keys } from './world-state';

let ids: TestIdentities;
let ledger: TestLedger;
/** Individuals of MY (alice, bob: 500 GX each from phase 1) and of SG (sam: 500 GX). */
let alice: string;
let bob: string;
let sam: string;

beforeAll(async () => {
  ids = await createTestIdentities();
});
beforeEach(async () => {
  ledger = new TestLedger(ids);
  await ledger.bootstrap();
  [alice, bob, sam] = (await createAll([individual(), individual(), individual({ countryCode: 'SG' })])) as [
    string,
    string,
    string,
  ];
});

async function create(user: NewUserFixture): Promise<string> {
  await ledger.createUser(user);
  return user.fabricUserId;
}

/**
 * One after the other: the memory world has no MVCC check, so registrations of one country run concurrently
 * would all read the same phase counter and all commit, where Fabric would keep only the first.
 */
async function createAll(users: NewUserFixture[]): Promise<string[]> {
  const created: string[] = [];
  for (const user of users) created.push(await create(user));
  return created;
}

const snapshot = () => new Map(ledger.world.state);
const feeShard = (sender: string): string | undefined => ledger.world.read(keys.feeShard(sender));
const freeze = (fabricUserId: string, reason = 'SUSPICIOUS_ACTIVITY', notes = 'case 7') =>
  ledger.asAdmin((ctx) => ledger.tokenomics.FreezeWallet(ctx, requestId(), fabricUserId, reason, notes));
const unfreeze = (fabricUserId: string, reason = 'ADMIN_ACTION') =>
  ledger.asAdmin((ctx) => ledger.tokenomics.UnfreezeWallet(ctx, requestId(), fabricUserId, reason, ''));
const supply = () => ledger.query<SupplyResult>((ctx) => ledger.tokenomics.GetSupply(ctx));

describe('TokenomicsContract.TransferTokens', () => {
  it("debits amount + fee, credits the amount, and accrues the fee in the sender's fee shard", async () => {
    const id = requestId();
    // 50 GX local P2P pays 5 bps: 25,000 Qirat (domain.md's example).
    const event = await ledger.transfer(alice, bob, 50n * GX, 'rent', id);
    expect(event).toEqual({
      version: 2,
      requestId: id,
      from: alice,
      to: bob,
      amount: (50n * GX).toString(),
      fee: '25000',
      feeBps: 5,
      type: 'P2P',
      scope: 'LOCAL',
      feePool: 'OPERATIONS',
      memo: 'rent',
      fromBalance: (450n * GX - 25_000n).toString(),
      toBalance: (550n * GX).toString(),
      timestamp: event.timestamp,
    });
    expect(await ledger.balance(alice)).toBe(450n * GX - 25_000n);
    expect(await ledger.balance(bob)).toBe(550n * GX);
    expect(feeShard(alice)).toBe('"25000"');
    expect(await ledger.balance(poolIds.OPERATIONS)).toBe(25_000n);
    // Bob's fee lands in his own shard; the fund is their sum.
    await ledger.transfer(bob, sam, 100n * GX);
    expect(feeShard(bob)).toBe(`"${(100n * GX * 15n) / 10_000n}"`);
    expect(await ledger.balance(poolIds.OPERATIONS)).toBe(25_000n + 150_000n);
  });

  it('types and scopes every transfer from the account types and countries, as QuoteFee answers', async () => {
    const shop = await create(newUser({ accountType: 1 }));
    const charity = await create(newUser({ countryCode: 'SG', accountType: 2 }));
    const ministry = await create(newUser({ accountType: 7 }));
    const cases: Array<[string, string, string, string, number]> = [
      [alice, bob, 'P2P', 'LOCAL', 10],
      [alice, sam, 'P2P', 'CROSS_BORDER', 25],
      [alice, shop, 'MERCHANT', 'LOCAL', 15],
      [alice, charity, 'MERCHANT', 'CROSS_BORDER', 30],
      [alice, ministry, 'GOVERNMENT', 'LOCAL', 10],
      [sam, treasuryIdOf('MY'), 'GOVERNMENT', 'CROSS_BORDER', 20],
    ];
    const amount = 200n * GX;
    for (const [from, to, type, scope, feeBps] of cases) {
      const fee = (amount * BigInt(feeBps)) / 10_000n;
      const quote = await ledger.query((ctx) => ledger.tokenomics.QuoteFee(ctx, from, to, amount.toString()));
      expect(quote).toEqual({ type, scope, feeBps, fee: fee.toString(), total: (amount + fee).toString() });
      // The sender needs amount + fee: give it 200 GX back first when it has less.
      if ((await ledger.balance(from)) < amount + fee) await ledger.transfer(bob, from, amount);
      expect(await ledger.transfer(from, to, amount), `${type} ${scope}`).toMatchObject({
        type,
        scope,
        feeBps,
        fee: fee.toString(),
      });
    }
  });

  it('refuses a sender holding less than amount + fee; exactly amount + fee is enough', async () => {
    // Alice holds 500,000,000. 499,500,500 at 10 bps pays ⌊499,500.5⌋ = 499,500: exactly her balance.
    const before = snapshot();
    await expect(ledger.transfer(alice, bob, 499_500_501n)).rejects.toThrow(
      /^GX_INSUFFICIENT_FUNDS: ".*" holds 500000000, cannot send 499500501 plus a fee of 499500/,
    );
    expect(ledger.world.state).toEqual(before);
    await ledger.transfer(alice, bob, 499_500_500n);
    expect(await ledger.balance(alice)).toBe(0n);
    expect(await ledger.balance(bob)).toBe(500n * GX + 499_500_500n);
  });

  it('rejects bad input, naming the field, with nothing written', async () => {
    const before = snapshot();
    const refusals: Array<[Promise<unknown>, RegExp]> = [
      [ledger.transfer(alice, bob, '-5'), /^GX_INVALID_ARGUMENT: amount must be a positive integer string/],
      [ledger.transfer(alice, bob, '1.5'), /^GX_INVALID_ARGUMENT: amount /],
      [ledger.transfer(alice, bob, '0'), /^GX_INVALID_ARGUMENT: amount /],
      [ledger.transfer(alice, bob, '1e3'), /^GX_INVALID_ARGUMENT: amount /],
      [ledger.transfer(alice, bob, '5', 'x'.repeat(257)), /^GX_INVALID_ARGUMENT: memo must be at most 256/],
      [ledger.transfer(alice, alice, '5'), /^GX_INVALID_ARGUMENT: to: cannot transfer to the sending account/],
      [ledger.transfer(alice, 'bob', '5'), /^GX_INVALID_ARGUMENT: to "bob" is not a Fabric user id/],
      [ledger.transfer(alice, individual().fabricUserId, '5'), /^GX_NOT_FOUND: user ".*" does not exist/],
      [ledger.transfer(alice, poolIds.OPERATIONS, '5'), /^GX_INVALID_ARGUMENT: to: system pool/],
      [ledger.transfer(poolIds.LOAN, alice, '5'), /^GX_INVALID_ARGUMENT: from: system pool/],
      [ledger.transfer(alice, treasuryIdOf('FR'), '5'), /^GX_NOT_FOUND: to: no treasury/],
    ];
    for (const [attempt, message] of refusals) await expect(attempt).rejects.toThrow(message);
    expect(ledger.world.state).toEqual(before);
  });

  it('refuses a locked user on either side (GX_ACCOUNT_LOCKED)', async () => {
    await ledger.world.invoke(ids.registrar, (ctx) =>
      ledger.identity.UpdateUserStatus(ctx, requestId(), bob, 'LOCKED', 'review'),
    );
    await expect(ledger.transfer(alice, bob, GX)).rejects.toThrow(/^GX_ACCOUNT_LOCKED: /);
    await expect(ledger.transfer(bob, alice, GX)).rejects.toThrow(/^GX_ACCOUNT_LOCKED: /);
  });

  it('answers a sender who cannot pay with insufficient funds, whatever the recipient is', async () => {
    // The balance is checked before the recipient: a refusal never tells a sender who cannot pay whether an
    // unrelated account exists, is locked or is frozen.
    const locked = await create(individual());
    await ledger.world.invoke(ids.registrar, (ctx) =>
      ledger.identity.UpdateUserStatus(ctx, requestId(), locked, 'LOCKED', 'review'),
    );
    await freeze(sam);
    for (const to of [individual().fabricUserId, locked, sam, bob]) {
      await expect(ledger.transfer(alice, to, 1_000n * GX), to).rejects.toThrow(/^GX_INSUFFICIENT_FUNDS: /);
    }
  });

  it('replays a transfer without moving tokens again; rejects its id for another amount', async () => {
    const id = requestId();
    const first = await ledger.transfer(alice, bob, GX, '', id);
    expect(await ledger.transfer(alice, bob, GX, '', id)).toEqual(first);
    expect(await ledger.balance(bob)).toBe(501n * GX);
    await expect(ledger.transfer(alice, bob, 2n * GX, '', id)).rejects.toThrow(/^GX_REQUEST_ID_REUSED: /);
  });
});

describe('freezing a wallet', () => {
  it('blocks a frozen sender and a frozen recipient (GX_ACCOUNT_FROZEN) until unfrozen', async () => {
    const frozen = JSON.parse(await freeze(bob));
    expect(frozen).toMatchObject({ version: 1, fabricUserId: bob, frozen: true, reason: 'SUSPICIOUS_ACTIVITY' });
    const before = snapshot();
    await expect(ledger.transfer(alice, bob, GX)).rejects.toThrow(/^GX_ACCOUNT_FROZEN: to: account ".*" is frozen/);
    await expect(ledger.transfer(bob, alice, GX)).rejects.toThrow(/^GX_ACCOUNT_FROZEN: from: /);
    expect(ledger.world.state).toEqual(before);
    expect(JSON.parse(await unfreeze(bob))).toMatchObject({ frozen: false, reason: 'ADMIN_ACTION' });
    await ledger.transfer(bob, alice, GX);
    expect(ledger.events().map((event) => event.name)).toContain('WalletFreezeChanged');
  });

  it('freezes treasuries too; refuses unknown reasons, long notes and unknown accounts, writing nothing', async () => {
    await freeze(treasuryIdOf('MY'), 'COURT_ORDER');
    await expect(ledger.transfer(alice, treasuryIdOf('MY'), GX)).rejects.toThrow(/^GX_ACCOUNT_FROZEN: /);
    const before = snapshot();
    await expect(freeze(bob, 'BORED')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: reason must be one of ADMIN_ACTION, SUSPICIOUS_ACTIVITY, COMPLIANCE_REVIEW, COURT_ORDER, USER_REQUEST/,
    );
    await expect(freeze(bob, 'USER_REQUEST', 'x'.repeat(501))).rejects.toThrow(/^GX_INVALID_ARGUMENT: notes/);
    await expect(freeze(individual().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
    await expect(freeze(treasuryIdOf('FR'))).rejects.toThrow(/^GX_NOT_FOUND: fabricUserId: no treasury/);
    expect(ledger.world.state).toEqual(before);
  });
});

describe('pausing the system', () => {
  it('blocks every value movement with GX_SYSTEM_PAUSED, reads go on, resume lets value move again', async () => {
    await ledger.asSuperAdmin((ctx) => ledger.admin.PauseSystem(ctx, requestId(), 'incident 12'));
    const before = snapshot();
    await expect(ledger.transfer(alice, bob, GX)).rejects.toThrow(
      /^GX_SYSTEM_PAUSED: the system is paused: incident 12/,
    );
    await expect(ledger.createUser()).rejects.toThrow(/^GX_SYSTEM_PAUSED: /);
    expect(ledger.world.state).toEqual(before);
    expect(await ledger.balance(alice)).toBe(500n * GX);
    await ledger.asSuperAdmin((ctx) => ledger.admin.ResumeSystem(ctx, requestId(), 'resolved'));
    await ledger.transfer(alice, bob, GX);
    await ledger.createUser();
  });
});

describe('treasuries', () => {
  it('accrue while LOCKED but cannot send (GX_TREASURY_LOCKED) until an admin activates them', async () => {
    const treasury = treasuryIdOf('MY');
    expect(await ledger.balance(treasury)).toBe(100n * GX);
    await ledger.transfer(alice, treasury, 10n * GX);
    expect(await ledger.balance(treasury)).toBe(110n * GX);
    await expect(ledger.transfer(treasury, alice, GX)).rejects.toThrow(
      /^GX_TREASURY_LOCKED: treasury "MY 000 AAA000 6TRSY 0001" is not activated yet/,
    );
    const activated = JSON.parse(
      await ledger.asAdmin((ctx) => ledger.tokenomics.ActivateTreasury(ctx, requestId(), 'MY')),
    );
    expect(activated).toMatchObject({ version: 1, countryCode: 'MY', treasuryId: treasury });
    // A treasury pays the schedule like anyone: GOVERNMENT LOCAL, 10 bps.
    expect(await ledger.transfer(treasury, alice, 10n * GX)).toMatchObject({ type: 'GOVERNMENT', fee: '10000' });
    expect(await ledger.balance(treasury)).toBe(100n * GX - 10_000n);
    await expect(ledger.asAdmin((ctx) => ledger.tokenomics.ActivateTreasury(ctx, requestId(), 'MY'))).rejects.toThrow(
      /^GX_ALREADY_EXISTS: /,
    );
    await expect(ledger.asAdmin((ctx) => ledger.tokenomics.ActivateTreasury(ctx, requestId(), 'FR'))).rejects.toThrow(
      /^GX_NOT_FOUND: countryCode: no country "FR"/,
    );
    await expect(ledger.asAdmin((ctx) => ledger.tokenomics.ActivateTreasury(ctx, requestId(), 'my'))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: countryCode/,
    );
  });
});

describe('supply', () => {
  it('keeps Σ wallets + Σ fee shards + pool balances = minted, each pool within its cap, over a scripted run', async () => {
    // Beyond the three users of beforeEach: every phase and outcome, fees of every kind, refusals, a treasury.
    const more = [
      individual(),
      individual(),
      individual(),
      individual(),
      individual(), // MY's 7th individual: exhausted
      individual({ countryCode: 'SG' }),
      individual({ countryCode: 'ID' }),
      newUser({ accountType: 1 }),
      individual({ dateOfBirth: '2020-01-01' }),
    ];
    const [carol, , , , , sue, ida, shop] = await createAll(more);
    await ledger.asAdmin((ctx) => ledger.tokenomics.ActivateTreasury(ctx, requestId(), 'SG'));
    const moves: Array<[string, string, bigint]> = [
      [alice, bob, 2_999_999n],
      [bob, carol!, 100n * GX],
      [carol!, sam, 100_000_001n],
      [sam, shop!, 7n * GX],
      [sue!, ida!, 30n * GX],
      [treasuryIdOf('SG'), sue!, 20n * GX],
      [ida!, treasuryIdOf('ID'), 5n * GX],
      [alice, bob, 10_000n * GX], // refused: insufficient funds
    ];
    for (const [from, to, amount] of moves) await ledger.transfer(from, to, amount).catch(() => undefined);

    const result = await supply();
    const minted = BigInt(result.minted);
    expect(ledger.heldEverywhere()).toBe(minted);
    for (const pool of result.pools) expect(BigInt(pool.minted), pool.pool).toBeLessThanOrEqual(BigInt(pool.cap));
    expect(result.pools.map((pool) => pool.pool)).toEqual([...poolNames]);
    const operations = result.pools.find((pool) => pool.pool === 'OPERATIONS')!;
    expect(BigInt(operations.balance)).toBeGreaterThan(0n);
    expect(BigInt(result.circulating)).toBe(minted - BigInt(operations.balance));
    const byPool = Object.fromEntries(result.pools.map((pool) => [pool.pool, BigInt(pool.minted)]));
    expect(byPool.USER_GENESIS! + byPool.GOVERNMENT_GENESIS!).toBe(minted);
    expect(result.maxSupply).toBe(systemParams().maxSupply);
  });

  it('answers GetBalance for pools: genesis pools hold nothing, the operations fund holds its shards', async () => {
    for (const pool of poolNames) expect(await ledger.balance(poolIds[pool]), pool).toBe(0n);
    await ledger.transfer(alice, sam, GX);
    expect(await ledger.balance(poolIds.OPERATIONS)).toBe(1_500n);
    await expect(ledger.balance(individual().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);
    await expect(ledger.balance('nobody')).rejects.toThrow(/^GX_INVALID_ARGUMENT: /);
  });

  it('GetWallet answers balance and freeze; AuditSupply: every wallet + what the pools hold = minted', async () => {
    const wallet = (account: string) =>
      ledger.query<{ balance: string; frozen: boolean; freezeReason: string | null }>((ctx) =>
        ledger.tokenomics.GetWallet(ctx, account),
      );
    await freeze(alice, 'COURT_ORDER');
    expect(await wallet(alice)).toEqual({
      fabricUserId: alice,
      balance: (500n * GX).toString(),
      frozen: true,
      freezeReason: 'COURT_ORDER',
    });
    await unfreeze(alice);
    expect(await wallet(alice)).toMatchObject({ frozen: false, freezeReason: null });
    await expect(wallet(individual().fabricUserId)).rejects.toThrow(/^GX_NOT_FOUND: /);

    await ledger.transfer(alice, sam, 10n * GX);
    const audit = await ledger.query<{ wallets: number; walletTotal: string; held: string; minted: string }>((ctx) =>
      ledger.tokenomics.AuditSupply(ctx),
    );
    const result = await supply();
    // At least the three users and the two treasuries (MY, SG) their genesis funded.
    expect(audit.wallets).toBeGreaterThanOrEqual(5);
    expect(audit.minted).toBe(result.minted);
    expect(audit.held).toBe(((10n * GX * 15n) / 10_000n).toString());
    expect(BigInt(audit.walletTotal) + BigInt(audit.held)).toBe(BigInt(audit.minted));
  });

  it('lists every bootstrapped country with its slots and treasury', async () => {
    const { countries } = await ledger.query<{ countries: Array<{ code: string; currentPhase: number | null }> }>(
      (ctx) => ledger.tokenomics.ListCountries(ctx),
    );
    expect(countries.map((country) => [country.code, country.currentPhase])).toEqual([
      ['ID', 1],
      ['MY', 2],
      ['SG', 2],
    ]);
  });
});
