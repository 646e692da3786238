/** A devnet for one test file (temporary data folder, random port), and a real fabric-gateway client for it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as GrpcClient, credentials as grpcCredentials } from '@grpc/grpc-js';
import { connect, type Gateway, hash, signers } from '@hyperledger/fabric-gateway';
import type { FabricRole } from '../../src/config.js';
import { connectionEnvPath, readConnectionEnv } from '../../src/devnet/connection-env.js';
import {
  type Devnet,
  type DevnetConnection,
  type DevnetOptions,
  type PemIdentity,
  startDevnet,
} from '../../src/devnet/index.js';
import { CLI_PATH } from './cli.js';

/** The kv fixture chaincode (plain JavaScript, no decorators). */
export const KV_CHAINCODE = path.resolve(import.meta.dirname, '../fixtures/kv-chaincode');

/** A devnet in a fresh temporary folder on a random port; `stop()` closes it and deletes the folder. */
export async function startTestDevnet(
  options: Partial<DevnetOptions> = {},
): Promise<Devnet & { stop(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'gx-test-devnet-')));
  const devnet = await startDevnet({ port: 0, tls: true, blockTimeoutMs: 5, ...options, dataDir });
  return Object.assign(devnet, {
    async stop(): Promise<void> {
      await devnet.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** A connected fabric-gateway client; `close()` closes the gateway and its gRPC channel. */
export interface TestGateway {
  gateway: Gateway;
  grpc: GrpcClient;
  close(): void;
}

/**
 * Connects the real @hyperledger/fabric-gateway client to a devnet as one of its role identities (`as`, the
 * registrar by default: any identity signs for test chaincodes), or as any `identity` (e.g. one minted with
 * `devnet.issueIdentity` in another organization).
 */
export function connectTestGateway(
  connection: DevnetConnection,
  options: { as?: FabricRole; identity?: PemIdentity & { mspId: string }; endpoint?: string } = {},
): TestGateway {
  const identity = options.identity ?? connection.identities[options.as ?? 'registrar'];
  const mspId = options.identity?.mspId ?? connection.mspId;
  const credentials = connection.tlsCaPem
    ? grpcCredentials.createSsl(Buffer.from(connection.tlsCaPem))
    : grpcCredentials.createInsecure();
  const grpc = new GrpcClient(options.endpoint ?? connection.peerEndpoint, credentials, {
    ...(connection.tlsHostOverride ? { 'grpc.ssl_target_name_override': connection.tlsHostOverride } : {}),
  });
  const gateway = connect({
    client: grpc,
    identity: { mspId, credentials: Buffer.from(identity.certPem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(identity.keyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 5_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 5_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    grpc,
    close() {
      gateway.close();
      grpc.close();
    },
  };
}

/** A `gx devnet` child process and the connection its connection.env describes. */
export interface CliDevnet {
  child: ChildProcess;
  connection: DevnetConnection;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Runs the built `gx devnet` with `args` (plus `--data-dir`), waits for its endpoint line, reads connection.env. */
export async function startCliDevnet(dataDir: string, args: string[]): Promise<CliDevnet> {
  const child = spawn(process.execPath, [CLI_PATH, 'devnet', '--data-dir', dataDir, ...args], {
    env: { PATH: process.env.PATH ?? '', GX_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('connection settings:')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`gx devnet exited with ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    connection: await readConnectionEnv(connectionEnvPath(dataDir)),
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The fixture chaincode with nondeterministic functions (randomness, the clock, per-instance memory). */
export const NONDETERMINISTIC_CHAINCODE = path.resolve(import.meta.dirname, '../fixtures/nondeterministic-chaincode');
