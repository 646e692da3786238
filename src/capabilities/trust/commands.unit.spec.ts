import { describe, expect, it } from 'vitest';
import { CommandValidationError, toLedgerCall, validateCommand } from '../../commands/catalogue.js';

const alice = 'MY A3F HBF934 0ABCD 1234';
const bob = 'SG 0B1 AAA123 1WXYZ 9876';
const relationshipId = '0123456789abcdef0123456789abcdef';

describe('trust commands', () => {
  it('maps a request to RequestRelationship, serialised on the pair and type whatever the direction', () => {
    const call = toLedgerCall('REQUEST_RELATIONSHIP', 'r', {
      fromFabricUserId: bob,
      toFabricUserId: alice,
      type: 'SPOUSE',
    });
    expect(call).toMatchObject({
      contract: 'IdentityContract',
      fn: 'RequestRelationship',
      args: ['r', bob, alice, 'SPOUSE'],
      signer: 'registrar',
    });
    const reverse = toLedgerCall('REQUEST_RELATIONSHIP', 'r', {
      fromFabricUserId: alice,
      toFabricUserId: bob,
      type: 'SPOUSE',
    });
    expect(reverse.conflictKeys).toEqual(call.conflictKeys);
  });

  it.each([
    ['CONFIRM_RELATIONSHIP', 'ConfirmRelationship'],
    ['REJECT_RELATIONSHIP', 'RejectRelationship'],
    ['END_RELATIONSHIP', 'EndRelationship'],
  ] as const)('maps %s to %s and serialises it on both trust scores', (type, fn) => {
    const call = toLedgerCall(type, 'r', { relationshipId, byFabricUserId: alice, otherFabricUserId: bob });
    expect(call).toMatchObject({ fn, args: ['r', relationshipId, alice], signer: 'registrar' });
    expect(call.conflictKeys).toEqual([`relationship:${relationshipId}`, `trust:${alice}`, `trust:${bob}`]);
  });

  it('names a bad type, relationship id or user id', () => {
    const fields = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof CommandValidationError) return error.issues.map((issue) => issue.field);
      }
      throw new Error('expected a CommandValidationError');
    };
    expect(
      fields(() =>
        validateCommand('REQUEST_RELATIONSHIP', { fromFabricUserId: alice, toFabricUserId: bob, type: 'COUSIN' }),
      ),
    ).toEqual(['type']);
    expect(
      fields(() =>
        validateCommand('END_RELATIONSHIP', { relationshipId: 'x', byFabricUserId: 'me', otherFabricUserId: bob }),
      ),
    ).toEqual(['relationshipId', 'byFabricUserId']);
  });
});
