/**
 * devnet throughput: transactions endorsed, submitted and committed (the outcome awaited) through the real
 * @hyperledger/fabric-gateway client over TLS, with a fixed number in flight. Each transaction is a small
 * blind write of a distinct key in the kv fixture chaincode (the Caliper "small writes" workload).
 *
 * The outcome of each transaction is learned either by its own CommitStatus call (`commit-status`, what
 * `contract.submitTransaction` does) or from one filtered-block stream shared by all of them
 * (`block-stream`, DeliverFiltered, what the backend's ledger client does; src/ledger/commit-watcher.ts).
 *
 * Run alone: `node dist/bench/devnet.js [transactions] [inFlight] [--in-process] [--noble] [--block-stream]`
 * (after the build).
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, credentials } from '@grpc/grpc-js';
import { type Contract, connect, hash, type Network, signers } from '@hyperledger/fabric-gateway';
import { connectionEnvPath, readConnectionEnv } from '../src/devnet/connection-env.js';
import { type DevnetConnection, startDevnet } from '../src/devnet/index.js';
import { CommitWatcher } from '../src/ledger/commit-watcher.js';
import { newNativeSigner } from '../src/ledger/signer.js';
import { createLogger } from '../src/observability/logger.js';
import { devnetNodeArgs, startNodeProcess } from './child-process.js';
import { type BenchOptions, type BenchResult, percentiles } from './harness.js';
import { processCpuSeconds } from './process-cpu.js';

export interface DevnetBenchOptions {
  /** Transactions to commit in the measured run; default 20,000. */
  transactions?: number;
  /** Transactions in flight; default 256. */
  inFlight?: number;
  /** The kv fixture chaincode; default `test/fixtures/kv-chaincode` under the working directory. */
  chaincodeModule?: string;
  /** fsync each block (devnet's default); default true. */
  syncWrites?: boolean;
  /** TLS between client and devnet; default true. */
  tls?: boolean;
  /**
   * `native`: node:crypto signatures (low-S, as Fabric demands) with `hash.none`; `noble`: the client's own
   * `signers.newPrivateKeySigner` (pure JavaScript, ~1.9 ms per signature here, three per transaction).
   * Default `native`.
   */
  signer?: 'native' | 'noble';
  /**
   * `process` (default): devnet runs as `gx devnet` in a child process, as users run it, so it and the client
   * each have a core; `in-process`: both share one event loop.
   */
  mode?: 'process' | 'in-process';
  /**
   * How each transaction's outcome is learned: `commit-status` (default), one CommitStatus call each, as
   * `contract.submitTransaction` does; `block-stream`: from one DeliverFiltered stream for all of them.
   */
  commits?: 'commit-status' | 'block-stream';
  /** Peer organizations of the devnet (MAJORITY endorsement: every one endorses when there are two); default 1. */
  orgs?: number;
}

export interface DevnetBenchResult {
  /** Committed transactions per second over the measured run. */
  tps: number;
  /** Latency of one transaction from proposal to commit status, in ms. */
  p50: number;
  p95: number;
  p99: number;
  transactions: number;
  inFlight: number;
  failures: number;
  mode: 'process' | 'in-process';
  commits: 'commit-status' | 'block-stream';
  /** CPU time of the client process per committed transaction (ms); includes devnet when in-process. */
  clientCpuMsPerTx: number;
  /** CPU time of the devnet process per committed transaction (ms; `process` mode on Linux). */
  devnetCpuMsPerTx?: number;
}

/** A devnet being measured: its connection, its CPU seconds so far, and how to stop it. */
interface DevnetUnderTest {
  connection: DevnetConnection;
  cpuSeconds(): Promise<number | undefined>;
  close(): Promise<void>;
}

async function inProcessDevnet(
  dataDir: string,
  options: DevnetBenchOptions,
  chaincode: string,
): Promise<DevnetUnderTest> {
  const devnet = await startDevnet({
    dataDir,
    port: 0,
    tls: options.tls ?? true,
    chaincodes: [{ name: 'kv', module: chaincode }],
    syncWrites: options.syncWrites ?? true,
    orgs: options.orgs ?? 1,
  });
  return { connection: devnet.connection, cpuSeconds: async () => undefined, close: () => devnet.close() };
}

async function childProcessDevnet(
  dataDir: string,
  options: DevnetBenchOptions,
  chaincode: string,
): Promise<DevnetUnderTest> {
  const cli = path.resolve(import.meta.dirname, '../src/cli.js');
  const args = [
    ...devnetNodeArgs(),
    cli,
    'devnet',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--chaincode',
    `kv=${chaincode}`,
  ];
  if (options.tls === false) args.push('--no-tls');
  if (options.syncWrites === false) args.push('--no-sync');
  if ((options.orgs ?? 1) > 1) args.push('--orgs', String(options.orgs));
  const { child } = await startNodeProcess(
    'gx devnet',
    args,
    { env: { PATH: process.env.PATH ?? '', GX_LOG_LEVEL: 'warn' } },
    (output) => (output.includes('connection settings:') ? true : undefined),
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    connection: await readConnectionEnv(connectionEnvPath(dataDir)),
    cpuSeconds: () => processCpuSeconds(child.pid),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts a devnet in a temporary folder, drives it through the real client, and reports throughput and latency. */
export async function benchDevnet(options: DevnetBenchOptions = {}): Promise<DevnetBenchResult> {
  const total = options.transactions ?? 20_000;
  const inFlight = options.inFlight ?? 256;
  const mode = options.mode ?? 'process';
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-devnet-'));
  const chaincode = options.chaincodeModule ?? path.resolve('test/fixtures/kv-chaincode');
  const devnet =
    mode === 'process'
      ? await childProcessDevnet(dataDir, options, chaincode)
      : await inProcessDevnet(dataDir, options, chaincode);
  const { connection } = devnet;
  const grpc = new Client(
    connection.peerEndpoint,
    connection.tlsCaPem ? credentials.createSsl(Buffer.from(connection.tlsCaPem)) : credentials.createInsecure(),
    connection.tlsHostOverride ? { 'grpc.ssl_target_name_override': connection.tlsHostOverride } : {},
  );
  const key = createPrivateKey(connection.identities.registrar.keyPem);
  const gateway = connect({
    client: grpc,
    identity: { mspId: connection.mspId, credentials: Buffer.from(connection.identities.registrar.certPem) },
    ...(options.signer === 'noble'
      ? { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 }
      : { signer: newNativeSigner(key), hash: hash.none }),
  });
  const network = gateway.getNetwork(connection.channel);
  const contract = network.getContract('kv');
  const commits = options.commits ?? 'commit-status';
  const watcher = commits === 'block-stream' ? blockStreamWatcher(network) : undefined;
  const transact =
    watcher === undefined
      ? async (key: string) => {
          await contract.submitTransaction('blindPut', key, 'v');
        }
      : (key: string) => submitWatched(contract, watcher, key);
  try {
    const run = async (count: number, prefix: string) => {
      const latencies: number[] = [];
      let next = 0;
      let failures = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: Math.min(inFlight, count) }, async () => {
          while (next < count) {
            const index = next++;
            const begun = performance.now();
            try {
              await transact(`${prefix}-${index}`);
              latencies.push(performance.now() - begun);
            } catch {
              failures++;
            }
          }
        }),
      );
      return { seconds: (performance.now() - started) / 1000, latencies, failures };
    };
    await run(Math.min(2_000, total), 'warmup');
    const clientCpuBefore = process.cpuUsage();
    const devnetCpuBefore = await devnet.cpuSeconds();
    const measured = await run(total, 'tx');
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const devnetCpuAfter = await devnet.cpuSeconds();
    const committed = measured.latencies.length;
    return {
      tps: round(measured.latencies.length / measured.seconds),
      ...percentiles(measured.latencies),
      transactions: total,
      inFlight,
      failures: measured.failures,
      mode,
      commits,
      clientCpuMsPerTx: round((clientCpu.user + clientCpu.system) / 1000 / committed, 3),
      ...(devnetCpuBefore !== undefined && devnetCpuAfter !== undefined
        ? { devnetCpuMsPerTx: round(((devnetCpuAfter - devnetCpuBefore) * 1000) / committed, 3) }
        : {}),
    };
  } finally {
    watcher?.close();
    gateway.close();
    grpc.close();
    await devnet.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One filtered-block stream for every transaction of the run (the backend's ledger client's way). */
function blockStreamWatcher(network: Network): CommitWatcher {
  return new CommitWatcher({
    open: (startBlock) => network.getFilteredBlockEvents(startBlock === undefined ? {} : { startBlock }),
    onFailure: () => {},
    logger: createLogger({ level: 'warn', role: 'bench' }),
    client: 'bench-devnet',
    fallbackAfterMs: 60_000,
  });
}

/**
 * Endorses and submits a blind write, then waits for its outcome from the block stream (watched before it is
 * sent), or from CommitStatus where the stream cannot vouch (before its first block). Throws unless VALID.
 */
async function submitWatched(contract: Contract, watcher: CommitWatcher, key: string): Promise<void> {
  const transaction = await contract.newProposal('blindPut', { arguments: [key, 'v'] }).endorse();
  const watch = watcher.watch(transaction.getTransactionId());
  const submitted = await transaction.submit().catch((error: unknown) => {
    watch?.cancel();
    throw error;
  });
  const code = (await watch?.seen)?.code ?? (await submitted.getStatus()).code;
  if (code !== 0) throw new Error(`transaction ${transaction.getTransactionId()} committed with code ${code}`);
}

/** The `npm run bench` rows: outcomes by CommitStatus per transaction, and from one filtered-block stream. */
export async function devnetScenarios({ quick }: BenchOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const commits of ['commit-status', 'block-stream'] as const) {
    const run = await benchDevnet({ transactions: quick ? 2_000 : 20_000, inFlight: 256, commits });
    results.push({
      scenario:
        commits === 'commit-status'
          ? 'devnet (real client: endorse + submit + commit status)'
          : 'devnet (real client: endorse + submit, commits from one filtered-block stream)',
      metric: 'transactions/s',
      value: Math.round(run.tps),
      unit: 'tx/s',
      p50: run.p50,
      p95: run.p95,
      p99: run.p99,
      goal: '≥ 3000 tx/s',
      settings: {
        inFlight: run.inFlight,
        transactions: run.transactions,
        failures: run.failures,
        mode: run.mode,
        commits: run.commits,
        clientCpuMsPerTx: run.clientCpuMsPerTx,
        ...(run.devnetCpuMsPerTx === undefined ? {} : { devnetCpuMsPerTx: run.devnetCpuMsPerTx }),
      },
    });
  }
  return results;
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [transactions, inFlight] = process.argv.slice(2).map(Number);
  benchDevnet({
    ...(transactions ? { transactions } : {}),
    ...(inFlight ? { inFlight } : {}),
    ...(process.argv.includes('--in-process') ? { mode: 'in-process' as const } : {}),
    ...(process.argv.includes('--noble') ? { signer: 'noble' as const } : {}),
    ...(process.argv.includes('--block-stream') ? { commits: 'block-stream' as const } : {}),
  }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
      process.exit(1);
    },
  );
}
