import { profileDigest } from '@gx/chaincode';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/default-system-params.js';
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
      transient: undefined,
      signer: 'transfer',
      conflictKeys: [`user:${alice}`, `user:${bob}`],
    });
  });

  it('serialises a genesis re-drive on its user only: genesis has no global key any more', () => {
    expect(toLedgerCall('DISTRIBUTE_GENESIS', 'r', { fabricUserId: alice }).conflictKeys).toEqual([`user:${alice}`]);
  });

  it('signs bootstrap with the super admin identity', () => {
    const params = DEFAULT_SYSTEM_PARAMS;
    const call = toLedgerCall('BOOTSTRAP_SYSTEM', 'req-2', { params });
    expect(call.signer).toBe('super_admin');
    expect(JSON.parse(call.args[1] ?? '')).toEqual(params);
  });

  it("sends the CreateUser facts as transient data, not as arguments, and serialises an individual's on its country", () => {
    const call = toLedgerCall('CREATE_USER', 'req-3', {
      profileId: '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60',
      fabricUserId: alice,
      countryCode: 'MY',
      dateOfBirth: '1990-04-01',
      gender: 'female',
      accountType: 0,
      identityDigest: 'a3f0000000000000000000000000000000000000',
    });
    expect(call.args).toEqual(['req-3', alice]);
    expect(Object.keys(call.transient ?? {})).toEqual(['user']);
    expect(JSON.parse(call.transient?.user ?? '')).toEqual({
      profileId: '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60',
      dateOfBirth: '1990-04-01',
      gender: 'female',
      accountType: 0,
      identityDigest: 'a3f0000000000000000000000000000000000000',
    });
    expect(call.conflictKeys).toEqual([`user:${alice}`, 'profile:6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60', 'country:MY']);
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

  it('signs the system controls with the super admin and the wallet controls with the admin identity', () => {
    const profileId = '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60';
    const appointedBy = '7f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f61';
    expect(toLedgerCall('PAUSE_SYSTEM', 'r', { reason: 'x' })).toMatchObject({
      fn: 'PauseSystem',
      signer: 'super_admin',
      conflictKeys: ['paused'],
    });
    expect(
      toLedgerCall('SET_PARAMETER', 'r', { name: 'fees.B2B.LOCAL', value: [{ minAmount: '0', bps: 25 }] }),
    ).toMatchObject({
      args: ['r', 'fees.B2B.LOCAL', '[{"minAmount":"0","bps":25}]'],
      signer: 'super_admin',
    });
    // The ledger sees digests, never profile ids.
    const appoint = toLedgerCall('APPOINT_ADMIN', 'r', { profileId, role: 'admin', appointedBy });
    expect(appoint.args).toEqual(['r', profileDigest(profileId), 'admin', profileDigest(appointedBy)]);
    expect(appoint.conflictKeys).toEqual([`admin:${profileDigest(profileId)}`]);
    expect(toLedgerCall('FREEZE_WALLET', 'r', { fabricUserId: alice, reason: 'COURT_ORDER' })).toMatchObject({
      args: ['r', alice, 'COURT_ORDER', ''],
      signer: 'admin',
      conflictKeys: [`user:${alice}`],
    });
    expect(toLedgerCall('ACTIVATE_TREASURY', 'r', { countryCode: 'MY' }).conflictKeys).toEqual(['country:MY']);
  });

  it('refuses a freeze reason, fee cell or role the chaincode does not know, naming the field', () => {
    expect(issuesOf(() => validateCommand('FREEZE_WALLET', { fabricUserId: alice, reason: 'BORED' }))).toEqual([
      expect.objectContaining({ field: 'reason' }),
    ]);
    expect(
      issuesOf(() => validateCommand('SET_PARAMETER', { name: 'fees.P2P.LOCAL', value: [{ minAmount: '5', bps: 1 }] })),
    ).toEqual([expect.objectContaining({ field: 'value.0.minAmount' })]);
    const profileId = '6f1c2a4e-8b8f-4d6e-9d3a-1c2b3d4e5f60';
    expect(
      issuesOf(() => validateCommand('APPOINT_ADMIN', { profileId, role: 'auditor', appointedBy: profileId })),
    ).toEqual([expect.objectContaining({ field: 'role' })]);
  });
});
