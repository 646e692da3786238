/**
 * The ledger a test file runs against, chosen once for the whole run by `GX_TEST_LEDGER`:
 *
 * - `devnet` (the default): each file starts its own in-process devnet (./devnet.ts), with fault injection,
 *   commit latency and any chaincode module; the file owns the whole ledger.
 * - `external`: every file uses the one network the production variables describe (GX_FABRIC_PEER_ENDPOINT,
 *   GX_FABRIC_TLS, GX_FABRIC_TLS_CA, GX_FABRIC_TLS_HOST_OVERRIDE, GX_FABRIC_MSP_ID, one GX_FABRIC_<ROLE>_CERT/KEY
 *   pair per role, GX_FABRIC_CHANNEL, GX_FABRIC_CHAINCODE — read by src/config.ts as for any role).
 *   That ledger is shared by files running in parallel and keeps its state between runs, so tests use fresh
 *   ids, assert only on their own entities, and skip what needs devnet itself (see {@link devnetOnly}).
 *
 * The run's global setup (./global-setup.ts) bootstraps an external ledger once with the backend's default
 * system parameters, so files never race to bootstrap it with parameters of their own.
 */
import { readFile } from 'node:fs/promises';
import type { LedgerParams, SystemParams } from '@gx/chaincode';
import type pg from 'pg';
import { DEFAULT_SYSTEM_PARAMS } from '../../src/capabilities/admin/index.js';
import {
  ConfigError,
  FABRIC_ROLES,
  type FabricRole,
  type FabricSettings,
  fabricIdentitySettings,
  fabricIdentityVariables,
  loadConfig,
  requireSettings,
} from '../../src/config.js';
import type { Devnet, DevnetConnection, DevnetFaults, DevnetOptions, PemIdentity } from '../../src/devnet/index.js';
import type { LedgerClient } from '../../src/ledger/index.js';

export type TestLedgerMode = 'devnet' | 'external';

function readMode(value: string | undefined): TestLedgerMode {
  if (value === undefined || value === '' || value === 'devnet') return 'devnet';
  if (value === 'external') return 'external';
  throw new Error(`GX_TEST_LEDGER must be "devnet" (the default) or "external", not "${value}"`);
}

/**
 * Organizations of the devnets ledger-facing specs start (`GX_TEST_DEVNET_ORGS`, default 2, MAJORITY policy):
 * each runs gxtv3 on its own peer, so a chaincode function that is not deterministic fails the suite with
 * "ProposalResponsePayloads do not match" instead of passing on a single peer.
 */
export const TEST_DEVNET_ORGS = readOrgs(process.env.GX_TEST_DEVNET_ORGS);

function readOrgs(value: string | undefined): number {
  if (value === undefined || value === '') return 2;
  const orgs = Number(value);
  if (!Number.isInteger(orgs) || orgs < 1) {
    throw new Error(`GX_TEST_DEVNET_ORGS must be a whole number of at least 1, not "${value}"`);
  }
  return orgs;
}

/** The run's ledger mode. */
export const TEST_LEDGER_MODE: TestLedgerMode = readMode(process.env.GX_TEST_LEDGER);

/** True when the tests share one external network instead of a devnet of their own. */
export const externalLedger = TEST_LEDGER_MODE === 'external';

/**
 * The suffix that names why a test is skipped on an external ledger, e.g.
 * `it.skipIf(externalLedger)(\`retries MVCC conflicts ${devnetOnly('needs fault injection')}\`, …)`:
 * vitest prints the test's name among the skipped ones.
 */
export function devnetOnly(reason: string): string {
  return `(devnet only: ${reason})`;
}

/** Why devnet's own test files do not run against an external network. */
export const DEVNET_SUITE = devnetOnly('tests devnet itself');

/** The ledger of one test file: a devnet of its own, or the run's external network. */
export interface TestLedger {
  mode: TestLedgerMode;
  /** Endpoint, TLS material and the identity of every role, PEM inline. */
  connection: DevnetConnection;
  /** The GX_FABRIC_* variables that point a role (in this process or a child) at this ledger. */
  env(): Record<string, string>;
  /** devnet's faults; on an external network every call throws (such tests are skipped there). */
  faults: DevnetFaults;
  /** devnet's commit latency; throws on an external network. */
  setCommitLatency(ms: number): void;
  /**
   * A new identity from devnet's CA or a member organization's (`devnet.memberOrganizations`), e.g. a wrong
   * role or a foreign organization; throws on an external network (its CAs are not the suite's).
   */
  issueIdentity: Devnet['issueIdentity'];
  /** Stops a devnet and deletes its folder; nothing for an external network (it is not ours to stop). */
  stop(): Promise<void>;
}

/**
 * The ledger for a test file. `devnet` options apply only when the run uses devnets (an external network is
 * configured as it is: its chaincode, block cutting and latency are not the test's to choose).
 */
export async function startTestLedger(options: { devnet?: Partial<DevnetOptions> } = {}): Promise<TestLedger> {
  if (!externalLedger) {
    // Loaded on demand: devnet brings the chaincode (and its start-up chatter) into the process, which the
    // run's global setup, importing this module, does not need.
    const { startTestDevnet } = await import('./devnet.js');
    const devnet: Devnet & { stop(): Promise<void> } = await startTestDevnet({
      orgs: TEST_DEVNET_ORGS,
      ...options.devnet,
    });
    return {
      mode: 'devnet',
      connection: devnet.connection,
      env: () => devnet.env(),
      faults: devnet.faults,
      setCommitLatency: (ms) => devnet.setCommitLatency(ms),
      issueIdentity: (request) => devnet.issueIdentity(request),
      stop: () => devnet.stop(),
    };
  }
  const env = externalLedgerEnv();
  const connection = await externalConnection(externalFabricSettings(env));
  return {
    mode: 'external',
    connection,
    env: () => ({ ...env }),
    faults: new Proxy({} as DevnetFaults, {
      get(_target, fault) {
        return () => {
          throw new Error(`devnet fault "${String(fault)}" is not available on an external ledger`);
        };
      },
    }),
    setCommitLatency() {
      throw new Error('commit latency is devnet-only: an external ledger has its own block timing');
    },
    async issueIdentity() {
      throw new Error("minting identities is devnet-only: an external ledger's CAs are not the suite's");
    },
    async stop() {},
  };
}

/** The GX_FABRIC_* variables of this process's environment (the external network's settings). */
export function externalLedgerEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter(
      (entry): entry is [string, string] => entry[0].startsWith('GX_FABRIC_') && entry[1] !== undefined,
    ),
  );
}

/** The settings an external run needs, validated as a role validates them (every missing variable named). */
export function externalFabricSettings(env: Record<string, string>): FabricSettings {
  const fabric = loadConfig(env).fabric;
  requireSettings({
    GX_FABRIC_PEER_ENDPOINT: fabric.peerEndpoint,
    GX_FABRIC_MSP_ID: fabric.mspId,
    // The suite plays every role: it needs every identity.
    ...fabricIdentitySettings(fabric, FABRIC_ROLES),
    ...(fabric.tls ? { GX_FABRIC_TLS_CA: fabric.tlsCa } : {}),
  });
  return fabric;
}

/** A setting that is a path to a PEM file or the PEM text itself, as src/config.ts allows. */
async function pem(value: string | undefined, variable: string): Promise<string> {
  if (value === undefined) throw new ConfigError([{ variable, message: 'is required for this role' }]);
  return value.includes('-----BEGIN') ? value : readFile(value, 'utf8');
}

async function externalConnection(fabric: FabricSettings): Promise<DevnetConnection> {
  return {
    peerEndpoint: fabric.peerEndpoint ?? '',
    ...(fabric.tls ? { tlsCaPem: await pem(fabric.tlsCa, 'GX_FABRIC_TLS_CA') } : {}),
    ...(fabric.tlsHostOverride ? { tlsHostOverride: fabric.tlsHostOverride } : {}),
    mspId: fabric.mspId ?? '',
    channel: fabric.channel,
    identities: Object.fromEntries(
      await Promise.all(
        FABRIC_ROLES.map(async (role): Promise<[FabricRole, PemIdentity]> => {
          const variables = fabricIdentityVariables(role);
          const { cert, key } = fabric.identities[role];
          return [role, { certPem: await pem(cert, variables.cert), keyPem: await pem(key, variables.key) }];
        }),
      ),
    ) as Record<FabricRole, PemIdentity>,
  };
}

/** The parameters an external test ledger is bootstrapped with: the backend's defaults (`gx dev`, `POST /bootstrap`). */
export const EXTERNAL_LEDGER_PARAMS: SystemParams = DEFAULT_SYSTEM_PARAMS;

/** The system parameters in force on a ledger (GX_NOT_BOOTSTRAPPED before its bootstrap), without countries. */
export async function ledgerParams(ledger: LedgerClient): Promise<LedgerParams> {
  return JSON.parse(Buffer.from(await ledger.evaluate('AdminContract', 'GetSystemParams', [])).toString('utf8'));
}

/**
 * A test file's bootstrap. On its own devnet: `BootstrapSystem(requestId, params)` signed by the super admin,
 * as before. On an external ledger (bootstrapped once by the run's global setup): nothing is submitted.
 * Returns the parameters in force, from which amounts are expected, and whether this call bootstrapped.
 */
export async function bootstrapTestLedger(
  ledger: LedgerClient,
  params: SystemParams,
  requestId = 'bootstrap',
): Promise<{ params: LedgerParams; bootstrapped: boolean }> {
  if (externalLedger) return { params: await ledgerParams(ledger), bootstrapped: false };
  await ledger.submit({
    contract: 'AdminContract',
    fn: 'BootstrapSystem',
    args: [requestId, JSON.stringify(params)],
    signer: 'super_admin',
  });
  return { params, bootstrapped: true };
}

/**
 * The genesis amount a new individual gets: the first phase's. On an external ledger that holds while its
 * country's first-phase slots last, which the global setup checks at the start of every run.
 */
export function firstTierGenesis(params: LedgerParams): bigint {
  const phase = params.genesis.phases[0];
  if (phase === undefined) throw new Error('the ledger has no genesis phase');
  return BigInt(phase.userAmount);
}

/**
 * On an external ledger, starts a fresh database's projection at the ledger's current block instead of block 0,
 * so a test projects only what happens from now on, not the whole history of a long-lived network (every block
 * up to the current one is skipped as already applied). On devnet the projection starts at block 0 as usual.
 */
export async function projectFromCurrentBlock(pool: pg.Pool, ledger: LedgerClient, projection = 'main'): Promise<void> {
  if (!externalLedger) return;
  // A transaction with no writes tells the current block and a transaction id in it to checkpoint after (qscc's
  // height alone would not name a transaction).
  const { blockNumber, transactionId } = await ledger.submit({
    contract: 'AdminContract',
    fn: 'Ping',
    args: [],
    signer: 'registrar',
  });
  await pool.query(
    `INSERT INTO projector_state (name, last_block, last_tx_id, last_event_index) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET last_block = $2, last_tx_id = $3, last_event_index = $4`,
    [projection, blockNumber.toString(), transactionId, 2 ** 31 - 1],
  );
}
