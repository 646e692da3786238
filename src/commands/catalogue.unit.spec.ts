import { describe, expect, it } from 'vitest';
import { CommandValidationError, commandTypes, toLedgerCall, validateCommand } from './catalogue.js';

const alice = 'MY A3F HBF934 0ABCD 1234';
const bob = 'SG 0B1 AAA123 1WXYZ 9876';

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a CommandValidationError');
}

describe('command catalogue', () => {
  it('maps a transfer to its chaincode call with the request id first', () => {
    expect(
      toLedgerCall('TRANSFER_TOKENS', 'req-1', { fromFabricUserId: alice, toFabricUserId: bob, amount: '1500' }),
    ).toEqual({
      contract: 'TokenomicsContract',
      fn: 'TransferTokens',
      args: ['req-1', alice, bob, '1500', ''],
      signer: 'transfer',
      conflictKeys: [`user:${alice}`, `user:${bob}`],
    });
  });

  it('serialises every genesis allocation on the supply key', () => {
    expect(toLedgerCall('DISTRIBUTE_GENESIS', 'r', { fabricUserId: alice }).conflictKeys).toEqual([
      'supply',
      `user:${alice}`,
    ]);
  });

  it('signs bootstrap with the super admin identity', () => {
    const params = {
      tokenName: 'GX Coin',
      tokenSymbol: 'GXC',
      decimals: 6,
      genesisTiers: [{ recipients: 100, amount: '1000' }],
      transferFee: { basisPoints: 0, collector: 'GX_TREASURY' },
    };
    const call = toLedgerCall('BOOTSTRAP_SYSTEM', 'req-2', { params });
    expect(call.signer).toBe('super_admin');
    expect(JSON.parse(call.args[1] ?? '')).toEqual(params);
  });

  it('keeps the Fabric user id out of the CreateUser JSON argument', () => {
    const call = toLedgerCall('CREATE_USER', 'req-3', {
      profileId: '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60',
      fabricUserId: alice,
      countryCode: 'MY',
      dateOfBirth: '1990-04-01',
      gender: 'female',
      accountType: 0,
      identityDigest: 'a3f0000000000000000000000000000000000000',
    });
    expect(call.args.slice(0, 2)).toEqual(['req-3', alice]);
    expect(JSON.parse(call.args[2] ?? '')).not.toHaveProperty('fabricUserId');
  });

  it('names every bad field, including a missing one, a bad amount and an unknown one', () => {
    const issues = issuesOf(() =>
      validateCommand('TRANSFER_TOKENS', { toFabricUserId: 'bob', amount: '-5', extra: 1 }),
    );
    expect(issues.map((issue) => issue.field).sort()).toEqual([
      'amount',
      'extra',
      'fromFabricUserId',
      'toFabricUserId',
    ]);
    expect(issues.find((issue) => issue.field === 'extra')?.message).toBe('unknown field');
  });

  it.each(['0', '1.5', '1e3', ' 10', '007'])('refuses the transfer amount %j', (amount) => {
    const issues = issuesOf(() =>
      validateCommand('TRANSFER_TOKENS', { fromFabricUserId: alice, toFabricUserId: bob, amount }),
    );
    expect(issues).toEqual([expect.objectContaining({ field: 'amount' })]);
  });

  it('refuses a payload that is not an object', () => {
    expect(issuesOf(() => validateCommand('DISTRIBUTE_GENESIS', null))).toEqual([
      expect.objectContaining({ field: '(payload)' }),
    ]);
  });

  it('refuses an unknown command type, listing the known ones', () => {
    const issues = issuesOf(() => toLedgerCall('MINT_EVERYTHING', 'r', {}));
    expect(issues[0]?.field).toBe('commandType');
    for (const type of commandTypes) expect(issues[0]?.message).toContain(type);
  });
});
