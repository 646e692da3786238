/**
 * devnet throughput: transactions endorsed, submitted and committed (commit status awaited) through the real
 * @hyperledger/fabric-gateway client over TLS, with a fixed number in flight. Each transaction is a small
 * blind write of a distinct key in the kv fixture chaincode (the Caliper "small writes" workload).
 *
 * Run alone: `node dist/bench/devnet.js [transactions] [inFlight] [--in-process] [--noble]` (after the build).
 */
import { spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, credentials } from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';
import { connectionEnvPath, readConnectionEnv } from '../src/devnet/connection-env.js';
import { type DevnetConnection, startDevnet } from '../src/devnet/index.js';
import { newNativeSigner } from '../src/ledger/signer.js';
import { percentiles } from './harness.js';
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
  });
  return { connection: devnet.connection, cpuSeconds: async () => undefined, close: () => devnet.close() };
}

async function childProcessDevnet(
  dataDir: string,
  options: DevnetBenchOptions,
  chaincode: string,
): Promise<DevnetUnderTest> {
  const cli = path.resolve(import.meta.dirname, '../src/cli.js');
  // Node flags for the devnet process, e.g. GX_BENCH_DEVNET_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = process.env.GX_BENCH_DEVNET_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...nodeArgs, cli, 'devnet', '--data-dir', dataDir, '--port', '0', '--chaincode', `kv=${chaincode}`];
  if (options.tls === false) args.push('--no-tls');
  if (options.syncWrites === false) args.push('--no-sync');
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', GX_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('connection settings:')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`gx devnet exited with ${code}`)));
  });
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
  const key = createPrivateKey(connection.client.keyPem);
  const gateway = connect({
    client: grpc,
    identity: { mspId: connection.mspId, credentials: Buffer.from(connection.client.certPem) },
    ...(options.signer === 'noble'
      ? { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 }
      : { signer: newNativeSigner(key), hash: hash.none }),
  });
  const contract = gateway.getNetwork(connection.channel).getContract('kv');
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
              await contract.submitTransaction('blindPut', `${prefix}-${index}`, 'v');
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
      clientCpuMsPerTx: round((clientCpu.user + clientCpu.system) / 1000 / committed, 3),
      ...(devnetCpuBefore !== undefined && devnetCpuAfter !== undefined
        ? { devnetCpuMsPerTx: round(((devnetCpuAfter - devnetCpuBefore) * 1000) / committed, 3) }
        : {}),
    };
  } finally {
    gateway.close();
    grpc.close();
    await devnet.close();
    await rm(dataDir, { recursive: true, force: true });
  }
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
  }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
      process.exit(1);
    },
  );
}
