import { describe, expect, it } from 'vitest';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/default-system-params.js';
import { assertCurrentLedger, OutdatedLedgerError, type ParamsReader } from './ledger-generation.js';

/** A ledger whose GetSystemParams answers `params` (a unit spec: the query's transport is not the point). */
const answering = (params: unknown): ParamsReader => ({
  evaluate: async () => Buffer.from(JSON.stringify(params)),
});

describe('assertCurrentLedger', () => {
  it('refuses a ledger bootstrapped with the parameters of an earlier release, naming what to do', async () => {
    const v1 = {
      tokenName: 'GX Coin',
      tokenSymbol: 'GXC',
      decimals: 6,
      genesisTiers: [{ recipients: 1000, amount: '500000000' }],
      transferFee: { basisPoints: 0, collector: 'SYSTEM_FEES' },
    };
    const check = assertCurrentLedger(answering(v1), 'delete the data folder /tmp/gx and start again');
    await expect(check).rejects.toBeInstanceOf(OutdatedLedgerError);
    await expect(check).rejects.toThrow(
      /earlier release \(system parameters version 1.*delete the data folder \/tmp\/gx/,
    );
  });

  it("accepts this release's parameters", async () => {
    const { countries: _table, ...stored } = DEFAULT_SYSTEM_PARAMS;
    await expect(assertCurrentLedger(answering(stored), 'unused')).resolves.toBeUndefined();
  });

  it('lets any other failure of the query through unchanged', async () => {
    const failing: ParamsReader = { evaluate: () => Promise.reject(new Error('connection refused')) };
    await expect(assertCurrentLedger(failing, 'unused')).rejects.toThrow('connection refused');
  });
});
