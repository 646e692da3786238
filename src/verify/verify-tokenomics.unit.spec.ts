/** The supply invariant check on a faked ledger answer: what a ledger whose state breaks it would report. */
import type { SupplyResult } from '@gx/chaincode';
import { describe, expect, it } from 'vitest';
import type { LedgerClient } from '../ledger/index.js';
import { supplyViolations } from './verify-tokenomics.js';

/** A ledger whose AuditSupply answers these terms. */
const ledgerAuditing = (walletTotal: string, held: string, minted: string) =>
  ({
    evaluate: async () => Buffer.from(JSON.stringify({ wallets: 3, walletTotal, held, minted })),
  }) as unknown as LedgerClient;

const pool = (name: SupplyResult['pools'][number]['pool'], cap: string, minted: string, balance: string) => ({
  pool: name,
  id: 'XX 000 AAA000 FPOOL 0001',
  cap,
  minted,
  balance,
});

const supply = (pools: SupplyResult['pools'], maxSupply = '10000'): SupplyResult => ({
  maxSupply,
  minted: pools.reduce((sum, entry) => sum + BigInt(entry.minted), 0n).toString(),
  circulating: '0',
  pools,
});

describe('supplyViolations', () => {
  const healthy = supply([pool('USER_GENESIS', '1000', '900', '0'), pool('OPERATIONS', '100', '0', '12')]);

  it('none when the wallets and the pools hold exactly what was minted, each pool within its cap', async () => {
    expect(await supplyViolations(ledgerAuditing('888', '12', '900'), healthy)).toEqual([]);
  });

  it('a supply violation when the wallets hold more or less than minted less what the pools hold', async () => {
    for (const walletTotal of ['889', '887']) {
      expect(await supplyViolations(ledgerAuditing(walletTotal, '12', '900'), healthy)).toEqual([
        expect.objectContaining({ rule: 'supply', subject: 'wallets + pools' }),
      ]);
    }
  });

  it('a pool minted past its cap, and a supply past the maximum, are violations', async () => {
    const over = supply([pool('USER_GENESIS', '1000', '1001', '0')], '1000');
    expect(await supplyViolations(ledgerAuditing('1001', '0', '1001'), over)).toEqual([
      expect.objectContaining({ rule: 'pool-cap', subject: 'USER_GENESIS', detail: 'minted 1001 > cap 1000' }),
      expect.objectContaining({ rule: 'max-supply' }),
    ]);
  });
});
