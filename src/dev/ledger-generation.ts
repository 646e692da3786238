/**
 * Refuses a ledger made by a release before tokenomics v2. Its state (a tier table, a flat-fee collector, no
 * pools or countries) cannot be read by this chaincode's rules, and no production ledger ever ran it, so the
 * way forward is a fresh ledger. Without this check `gx dev` on an old data folder would start and then fail
 * every registration and transfer with errors that do not say why.
 */
import { classifyError } from '../ledger/errors.js';

/** What this check needs of the ledger client: one query. */
export interface ParamsReader {
  evaluate(contract: string, fn: string, args: string[]): Promise<Uint8Array>;
}

/** The ledger was made by an earlier release; the message says what to do. */
export class OutdatedLedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutdatedLedgerError';
  }
}

/**
 * Resolves when the ledger is not bootstrapped yet or holds version 2 parameters; otherwise throws
 * {@link OutdatedLedgerError} naming `remedy` (for `gx dev`: the data folder to delete).
 */
export async function assertCurrentLedger(ledger: ParamsReader, remedy: string): Promise<void> {
  let params: unknown;
  try {
    params = JSON.parse(Buffer.from(await ledger.evaluate('AdminContract', 'GetSystemParams', [])).toString('utf8'));
  } catch (error) {
    if (classifyError(error).reason === 'GX_NOT_BOOTSTRAPPED') return;
    throw error;
  }
  const version = (params as { version?: unknown } | null)?.version;
  if (version !== 2) {
    throw new OutdatedLedgerError(
      `the ledger was bootstrapped by an earlier release (system parameters version ${String(version ?? 1)}, this ` +
        `release needs version 2: supply pools, countries, the fee schedule). Its state cannot be carried over: ${remedy}`,
    );
  }
}
