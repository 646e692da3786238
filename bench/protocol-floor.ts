/**
 * The fixed CPU cost of one Fabric Gateway transaction on this machine, whatever the ledger does: what the
 * protocol itself makes client and peer spend before any chaincode, storage or bookkeeping runs.
 *
 * - ECDSA P-256 with node:crypto: the client signs the proposal and the envelope, the peer verifies both and
 *   signs its endorsement (3 signatures, 2 verifications per transaction).
 * - Two unary gRPC calls (Endorse, Submit) with @grpc/grpc-js over TLS on both sides, as the real client and
 *   devnet make them, with messages of the size of an endorsement (~3 KB each way). The peer runs in a child
 *   process, so each side's CPU is measured apart.
 *
 * The ceiling is the number of cores divided by that cost: no Gateway-protocol ledger driven by the real client
 * commits more transactions per second on this machine, even if everything else were free. devnet and the
 * submitter are measured against it.
 *
 * Run alone: `node dist/bench/protocol-floor.js [calls]` (after the build).
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Client,
  credentials,
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadOrCreateIdentities, TLS_SERVER_NAME } from '../src/devnet/identities.js';
import { startNodeProcess } from './child-process.js';
import { type BenchOptions, type BenchResult, round } from './harness.js';
import { processCpuSeconds } from './process-cpu.js';

/** Request and response sizes of an Endorse call for a small write (a signed proposal, a prepared envelope). */
const MESSAGE_BYTES = 3_000;

const identity = (bytes: Buffer) => bytes;
const echo: MethodDefinition<Buffer, Buffer> = {
  path: '/bench.Floor/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
};
const service: ServiceDefinition = { echo };

export interface ProtocolFloor {
  /** CPU µs of one ECDSA P-256 signature / verification over a 3 KB message (SHA-256 included). */
  signMicros: number;
  verifyMicros: number;
  /** CPU µs of one unary gRPC call over TLS, on the calling side and on the serving side. */
  grpcClientMicros: number;
  grpcServerMicros: number;
  /** Client-side and peer-side totals for one transaction: 2 calls, 3 signatures, 2 verifications. */
  clientMicrosPerTx: number;
  peerMicrosPerTx: number;
  cores: number;
  /** cores / (client + peer µs per transaction): transactions/s if nothing else cost anything. */
  ceilingTps: number;
}

/** Measures the floor with `calls` gRPC calls (256 in flight) and 5,000 signatures and verifications. */
export async function measureProtocolFloor(calls = 40_000): Promise<ProtocolFloor> {
  const { signMicros, verifyMicros } = measureEcdsa(5_000);
  const { clientMicros, serverMicros } = await measureUnaryGrpc(calls);
  const clientMicrosPerTx = 2 * clientMicros + 2 * signMicros;
  const peerMicrosPerTx = 2 * serverMicros + signMicros + 2 * verifyMicros;
  const cores = os.availableParallelism();
  return {
    signMicros: round(signMicros, 1),
    verifyMicros: round(verifyMicros, 1),
    grpcClientMicros: round(clientMicros, 1),
    grpcServerMicros: round(serverMicros, 1),
    clientMicrosPerTx: round(clientMicrosPerTx, 1),
    peerMicrosPerTx: round(peerMicrosPerTx, 1),
    cores,
    ceilingTps: Math.round((cores * 1e6) / (clientMicrosPerTx + peerMicrosPerTx)),
  };
}

function measureEcdsa(count: number): { signMicros: number; verifyMicros: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = Buffer.alloc(MESSAGE_BYTES, 7);
  const signature = sign('sha256', message, privateKey);
  const cpuMicros = (work: () => void) => {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) work();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  };
  return {
    signMicros: cpuMicros(() => sign('sha256', message, privateKey)),
    verifyMicros: cpuMicros(() => verify('sha256', message, publicKey, signature)),
  };
}

async function measureUnaryGrpc(calls: number): Promise<{ clientMicros: number; serverMicros: number }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'gx-bench-floor-'));
  try {
    const { ca } = await loadOrCreateIdentities(folder, 'BenchMSP');
    const { child, ready: port } = await startNodeProcess(
      'floor server',
      [import.meta.filename, '--serve', folder],
      {},
      (output) => {
        const match = /listening on (\d+)/.exec(output);
        return match ? Number(match[1]) : undefined;
      },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      return await measureCalls(port, ca.certPem, child.pid, calls);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** CPU per call of `calls` unary calls (256 in flight) to the floor server on `port`, on each side. */
async function measureCalls(
  port: number,
  caCertPem: string,
  serverPid: number | undefined,
  calls: number,
): Promise<{ clientMicros: number; serverMicros: number }> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createSsl(Buffer.from(caCertPem)), {
    'grpc.ssl_target_name_override': TLS_SERVER_NAME,
  });
  const request = Buffer.alloc(MESSAGE_BYTES, 2);
  const call = () =>
    new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(echo.path, identity, identity, request, (error) => (error ? reject(error) : resolve())),
    );
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next++ < count) await call();
      }),
    );
  };
  await run(Math.min(5_000, calls));
  const clientBefore = process.cpuUsage();
  const serverBefore = await processCpuSeconds(serverPid);
  await run(calls);
  const clientUsed = process.cpuUsage(clientBefore);
  const serverAfter = await processCpuSeconds(serverPid);
  client.close();
  if (serverBefore === undefined || serverAfter === undefined) {
    throw new Error('the serving process CPU time is only readable on Linux (/proc)');
  }
  return {
    clientMicros: (clientUsed.user + clientUsed.system) / calls,
    serverMicros: ((serverAfter - serverBefore) * 1e6) / calls,
  };
}

/** The serving side, in its own process: answers every call with an endorsement-sized message. */
async function serve(folder: string): Promise<void> {
  const { tls } = await loadOrCreateIdentities(folder, 'BenchMSP');
  const server = new Server();
  const response = Buffer.alloc(MESSAGE_BYTES, 1);
  server.addService(service, {
    echo: (_call: unknown, callback: (e: null, r: Buffer) => void) => callback(null, response),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) },
      ]),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  process.stdout.write(`listening on ${port}\n`);
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

/** The `npm run bench` row: the ceiling, with its parts. */
export async function protocolFloorScenarios({ quick }: BenchOptions): Promise<BenchResult[]> {
  const floor = await measureProtocolFloor(quick ? 5_000 : 40_000);
  return [
    {
      scenario: `protocol ceiling: Gateway gRPC calls + ECDSA alone, on ${floor.cores} cores`,
      metric: 'transactions/s',
      value: floor.ceilingTps,
      unit: 'tx/s',
      goal: 'the bound for devnet (≥ 3000) and the submitter (≥ 2000)',
      settings: { ...floor },
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const serving = process.argv.indexOf('--serve');
  const work =
    serving >= 0
      ? serve(process.argv[serving + 1] ?? '')
      : measureProtocolFloor(Number(process.argv[2]) || undefined).then((floor) =>
          process.stdout.write(`${JSON.stringify(floor)}\n`),
        );
  work.catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  });
}
