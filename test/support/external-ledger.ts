/**
 * The run-wide preparation of an external test ledger (`GX_TEST_LEDGER=external`), done once by the global
 * setup before any test file: its settings are complete, it answers, it is bootstrapped with
 * {@link EXTERNAL_LEDGER_PARAMS} (here, if nobody did it before), and its first genesis phase in MY has room for a run.
 * Each failure says what to change, instead of letting dozens of tests fail on a misconfigured network.
 */
import type { LedgerParams } from '@gx/chaincode';
import { loadConfig } from '../../src/config.js';
import { classifyError, createLedgerClient, type LedgerClient } from '../../src/ledger/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { EXTERNAL_LEDGER_PARAMS, externalFabricSettings, externalLedgerEnv, ledgerParams } from './ledger.js';
import { measureBlockInterval } from './ledger-timing.js';

/** Request id of the suite's bootstrap: a rerun of it replays the recorded result. */
const BOOTSTRAP_REQUEST_ID = 'gx-test-bootstrap';

/** Genesis recipients one run of the suite needs, with room to spare (it uses about ten). */
const GENESIS_PER_RUN = 50;
/** The country the suites register their users in (test fixtures' default). */
const GENESIS_COUNTRY = 'MY';

/** JSON with sorted keys: the chaincode answers canonical JSON, the constant has its own key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

async function paramsOrUndefined(ledger: LedgerClient): Promise<LedgerParams | undefined> {
  try {
    return await ledgerParams(ledger);
  } catch (error) {
    if (classifyError(error).reason === 'GX_NOT_BOOTSTRAPPED') return undefined;
    throw error;
  }
}

/** Checks and bootstraps the external ledger; returns its measured block interval (ms), for scaled waits. */
export async function prepareExternalLedger(): Promise<number> {
  const env = externalLedgerEnv();
  const fabric = externalFabricSettings(env);
  const ledger = await createLedgerClient(loadConfig(env).fabric, {
    logger: createLogger({ level: 'silent', role: 'test-setup' }),
    name: 'test-setup',
  });
  try {
    const health = await ledger.health();
    if (!health.reachable) {
      throw new Error(
        `GX_TEST_LEDGER=external: the ledger at ${fabric.peerEndpoint} (channel ${fabric.channel}, chaincode ` +
          `${fabric.chaincode}) does not answer AdminContract:Ping: ${health.error}`,
      );
    }
    let params = await paramsOrUndefined(ledger);
    if (params === undefined) {
      await ledger
        .submit({
          contract: 'AdminContract',
          fn: 'BootstrapSystem',
          args: [BOOTSTRAP_REQUEST_ID, JSON.stringify(EXTERNAL_LEDGER_PARAMS)],
          signer: 'super_admin',
        })
        // Another run may have bootstrapped it meanwhile: what counts is the parameters read next.
        .catch((error: unknown) => {
          if (classifyError(error).reason !== 'GX_ALREADY_BOOTSTRAPPED') throw error;
        });
      params = await ledgerParams(ledger);
    }
    // The ledger keeps the country table in keys of its own, not in the parameters.
    const { countries: _countries, ...expected } = EXTERNAL_LEDGER_PARAMS;
    if (canonical(params) !== canonical(expected)) {
      throw new Error(
        'GX_TEST_LEDGER=external: the ledger was bootstrapped with other system parameters than the suite ' +
          `expects (the backend's defaults, src/capabilities/admin/default-system-params.ts).\n  ledger: ${canonical(params)}\n` +
          `  expected: ${canonical(expected)}\nUse a channel or chaincode name of its own for the tests.`,
      );
    }
    const country = JSON.parse(
      Buffer.from(await ledger.evaluate('TokenomicsContract', 'GetCountry', [GENESIS_COUNTRY])).toString('utf8'),
    ) as { phases: Array<{ slots: number; used: number }> };
    const first = country.phases[0] ?? { slots: 0, used: 0 };
    if (first.used + GENESIS_PER_RUN > first.slots) {
      throw new Error(
        `GX_TEST_LEDGER=external: ${first.used} of ${GENESIS_COUNTRY}'s ${first.slots} first-phase genesis slots are ` +
          'used; the tests expect first-phase amounts. Deploy the chaincode under a fresh name (GX_FABRIC_CHAINCODE) or channel.',
      );
    }
    return await measureBlockInterval(ledger);
  } finally {
    await ledger.close();
  }
}
