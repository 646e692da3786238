/**
 * devnet: a Fabric-Gateway-compatible development network.
 *
 * A gRPC server speaking the `gateway.Gateway` service, so the unmodified `@hyperledger/fabric-gateway` client
 * connects to it exactly as to a Fabric 2.5 peer. It runs fabric-contract-api chaincode in-process over a
 * durable world state (LevelDB), cuts blocks, validates them (MVCC, duplicate tx id, signatures) and streams
 * chaincode events.
 *
 * @example
 * ```ts
 * const devnet = await startDevnet({ dataDir: './.gx', port: 7051 });
 * process.env = { ...process.env, ...devnet.env() };
 * // … connect with @hyperledger/fabric-gateway using devnet.connection …
 * await devnet.close();
 * ```
 */
import type { Logger } from 'pino';
import type { FabricRole } from '../config.js';
import type { IdentityRequest, PemIdentity } from './identities.js';

export { signLowS } from '../ledger/signer.js';
export { readConnectionEnv, writeConnectionEnv } from './connection-env.js';
export type { IdentityRequest, PemIdentity } from './identities.js';
export { startDevnet } from './network.js';

/** How to start a devnet. */
export interface DevnetOptions {
  /** Durable store and crypto material live under `<dataDir>/devnet/`. */
  dataDir: string;
  /** Listen address; default `127.0.0.1`. */
  host?: string;
  /** Listen port; `0` (the default) picks a free one. */
  port?: number;
  /** TLS on the gRPC port; default `true`. */
  tls?: boolean;
  /** Channel name; default `gxchannel`. */
  channel?: string;
  /** MSP id of the peer and of the identities devnet creates; default `GxMSP`. */
  mspId?: string;
  /**
   * Further member organizations of the channel, each with a CA of its own (kept in
   * `<dataDir>/devnet/crypto/<mspId>/`): their identities pass the peer's checks, as on a multi-organization
   * channel, and only the chaincode can refuse them. Mint them with {@link Devnet.issueIdentity}.
   */
  memberOrganizations?: string[];
  /**
   * Peer organizations, each with a CA and MSP of its own, one endorsing peer with its own chaincode
   * instances, its own port and its own role identities; default 1. The first is `mspId` (port `port`), the
   * others `Org2MSP`, `Org3MSP`, … (port `port + 1`, …, or any free one when `port` is 0), with their crypto in
   * `<dataDir>/devnet/crypto/<mspId>/`.
   */
  orgs?: number;
  /**
   * The chaincodes' endorsement policy over the peer organizations, checked by the gateway when it collects
   * endorsements and again at validation (ENDORSEMENT_POLICY_FAILURE): `MAJORITY` (the default, as a Fabric
   * channel's), `ANY`, `ALL`, or Fabric's signature-policy syntax, e.g. `AND('GxMSP.peer','Org2MSP.peer')`,
   * `OR(…)`, `OutOf(2, …)`.
   */
  endorsementPolicy?: string;
  /** Chaincodes served: a name and a module exporting `contracts`; default `[{name:'gxtv3', module:'@gx/chaincode'}]`. */
  chaincodes?: Array<{ name: string; module: string }>;
  /** Most transactions in one block; default 500. */
  blockSize?: number;
  /** Longest a non-empty block waits for more transactions; default 20 ms. */
  blockTimeoutMs?: number;
  /** Every transaction is held at least this long before its block commits (a production-like latency); default 0. */
  commitLatencyMs?: number;
  /** fsync every block before reporting it committed; default `true` (a kill -9 never loses a block either way). */
  syncWrites?: boolean;
  /** Gateway concurrency limit, as a peer's `gateway.concurrencyLimit`; default 500. */
  concurrencyLimit?: number;
  /** Where devnet logs (blocks at debug, start and failures); default: silent. */
  logger?: Logger;
}

/** Everything a client needs to connect to a devnet. */
export interface DevnetConnection {
  /** `host:port` of the Gateway service. */
  peerEndpoint: string;
  /** PEM of the CA that signed the server's TLS certificate (absent without TLS). */
  tlsCaPem?: string;
  /** Server name to verify against the TLS certificate. */
  tlsHostOverride?: string;
  mspId: string;
  channel: string;
  /** The backend's identities, one per role (OU `client`, Fabric CA attribute `gx.role=<role>`). */
  identities: Record<FabricRole, PemIdentity>;
}

/** Faults on demand, for tests and demos. Each lasts until its count or time is used up, or {@link DevnetFaults.clear}. */
export interface DevnetFaults {
  /** Ends every chaincode-events stream (UNAVAILABLE) and closes every client connection, once. */
  dropStreams(): void;
  /** Closes the port for `ms` milliseconds: connections are refused, existing ones dropped. Resolves when open again. */
  refuseConnections(ms: number): Promise<void>;
  /** Every Endorse and Evaluate waits `ms` milliseconds before running the chaincode (0 = off). */
  delayEndorsement(ms: number): void;
  /** The next `n` Endorse/Evaluate calls fail with gRPC UNAVAILABLE. */
  failEndorsements(n: number): void;
  /** The next `n` transactions validated are marked MVCC_READ_CONFLICT regardless of their read set. */
  forceMvccConflicts(n: number): void;
  /**
   * Stops one organization's peer (its port closes; it endorses nothing) until {@link DevnetFaults.startPeer}.
   * The other organizations' gateways answer as a Fabric 2.5 gateway does while a peer the policy needs is down.
   */
  stopPeer(mspId: string): Promise<void>;
  /** Starts a stopped peer again on its port. */
  startPeer(mspId: string): Promise<void>;
  /** Turns every switch off (a stopped peer stays stopped). */
  clear(): void;
}

/** One peer organization of a devnet and how to connect to its peer. */
export interface DevnetOrganization {
  mspId: string;
  connection: DevnetConnection;
  /** Its PEM files: `ca-cert.pem`, `<role>-cert.pem`, `<role>-key.pem`, … */
  cryptoFolder: string;
  /** The GX_FABRIC_* variables that point a backend at this organization's peer, as this organization. */
  env(): Record<string, string>;
  /** False while its peer is stopped ({@link DevnetFaults.stopPeer}). */
  isUp(): boolean;
}

/** A running devnet. */
export interface Devnet {
  /** How to connect to the first organization's peer. */
  connection: DevnetConnection;
  /** Every peer organization, the first one first. */
  organizations: DevnetOrganization[];
  /** The GX_FABRIC_* variables (src/config.ts) that point the backend at the first organization's peer (PEM inline). */
  env(): Record<string, string>;
  faults: DevnetFaults;
  /** Holds every later transaction at least `ms` before its block commits. */
  setCommitLatency(ms: number): void;
  /** Number of committed blocks (the next block's number). */
  height(): bigint;
  /**
   * A new identity issued by the CA of devnet's organization or of one of its `memberOrganizations`
   * (`mspId`), e.g. a wrong role, no role, or an `OU=admin` certificate, for authorization tests.
   */
  issueIdentity(request: IdentityRequest & { mspId?: string }): Promise<PemIdentity & { mspId: string }>;
  /** Stops serving, finishes the block being committed and closes the store. */
  close(): Promise<void>;
}
