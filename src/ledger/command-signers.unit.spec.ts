/**
 * The backend signs each command with the identity of the role its chaincode function demands: a catalogue
 * entry with another signer would be refused on every ledger (GX_FORBIDDEN), and one with a broader role would
 * break least privilege.
 */
import { functionRoles, type StateChangingFunction } from '@gx/chaincode';
import { describe, expect, it } from 'vitest';
import { commandCatalogue, commandTypes } from '../commands/catalogue.js';
import { FABRIC_ROLES } from '../config.js';

describe('command signers', () => {
  it('signs every command with the role its chaincode function needs', () => {
    for (const type of commandTypes) {
      const { contract, fn, signer } = commandCatalogue[type];
      const needed = functionRoles[`${contract}:${fn}` as StateChangingFunction];
      expect(needed, `${type}: ${contract}:${fn} is not a state-changing function`).toBeDefined();
      expect(signer, type).toBe(needed);
    }
  });

  it('knows the same roles as the chaincode', async () => {
    const { roles } = await import('@gx/chaincode');
    expect([...FABRIC_ROLES]).toEqual([...roles]);
  });
});
