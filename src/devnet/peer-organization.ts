/**
 * One organization's peer in a devnet: its crypto (CA, peer and TLS identities, the backend's role identities),
 * its own chaincode instances (each organization runs the chaincode on its own, as each peer has its own
 * chaincode container), its signing identity for endorsements, and its gRPC port serving the Gateway and the
 * filtered-block stream. Every organization's peer reads the same committed state: devnet has one ledger.
 *
 * A peer can be stopped and started (a fault: one organization's outage): its port closes, and the other
 * organizations' gateways can no longer collect its endorsement.
 */
import { Server, type ServerCredentials } from '@grpc/grpc-js';
import eventsGrpc from '@hyperledger/fabric-protos/lib/peer/events_grpc_pb.js';
import type { HostedChaincode } from './chaincode-host.js';
import type { DeliverServiceHandle } from './deliver-service.js';
import { type GatewayServiceHandle, gatewayServiceDefinition } from './gateway-service.js';
import type { DevnetIdentities } from './identities.js';
import type { PeerSigner } from './msp.js';

// A CommonJS module whose exports Node cannot name statically.
const { DeliverService } = eventsGrpc;

/** What a peer serves once the network has built its services. */
export interface PeerServices {
  gateway: GatewayServiceHandle;
  deliver: DeliverServiceHandle;
  credentials: ServerCredentials;
}

export class PeerOrganization {
  readonly mspId: string;
  readonly identities: DevnetIdentities;
  readonly signer: PeerSigner;
  readonly chaincodes: ReadonlyMap<string, HostedChaincode>;
  /** Where this organization's PEM files are (connection settings name them). */
  readonly cryptoFolder: string;
  readonly #host: string;
  #port: number;
  #server: Server | undefined;
  #services: PeerServices | undefined;
  #up = true;
  #outageUnnoticed = false;
  #closed = false;
  /** Serialises transport changes, so overlapping faults cannot leave two servers or none. */
  #transport: Promise<void> = Promise.resolve();

  constructor(options: {
    mspId: string;
    identities: DevnetIdentities;
    signer: PeerSigner;
    chaincodes: ReadonlyMap<string, HostedChaincode>;
    cryptoFolder: string;
    host: string;
    port: number;
  }) {
    this.mspId = options.mspId;
    this.identities = options.identities;
    this.signer = options.signer;
    this.chaincodes = options.chaincodes;
    this.cryptoFolder = options.cryptoFolder;
    this.#host = options.host;
    this.#port = options.port;
  }

  /** `host:port` of this peer (known once the port is bound), as a peer reports its own endpoint. */
  get address(): string {
    return `${this.#host}:${this.#port}`;
  }

  /** False while the peer is stopped. */
  get up(): boolean {
    return this.#up;
  }

  /**
   * A gateway learns that a peer went down from the first endorsement it sends there (the dial fails); after
   * that it leaves the peer out of its plans until it returns (docs/fabric.md, two organizations). True once
   * per outage.
   */
  takeUnnoticedOutage(): boolean {
    const unnoticed = this.#outageUnnoticed;
    this.#outageUnnoticed = false;
    return unnoticed;
  }

  /** Binds the port with `services`; the first call fixes a port chosen as 0. */
  async serve(services: PeerServices): Promise<void> {
    this.#services = services;
    this.#server = await this.#listen();
  }

  /**
   * Closes the port for `pauseMs` (streams end, connections drop), then listens again: the transport faults
   * of {@link DevnetFaults}. Takes effect before it returns; resolves once the port is open again.
   */
  restart(pauseMs: number, reason: string): Promise<void> {
    this.#shutdownTransport(reason);
    this.#transport = this.#transport.then(async () => {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (!this.#closed && !this.#server && this.#up) this.#server = await this.#listen();
    });
    return this.#transport;
  }

  /** Stops the peer until {@link start}: its port closes and it endorses nothing. */
  stop(): Promise<void> {
    if (!this.#up) return this.#transport;
    this.#up = false;
    this.#outageUnnoticed = true;
    this.#shutdownTransport(`devnet fault: the peer of ${this.mspId} stopped`);
    return this.#transport;
  }

  /** Starts a stopped peer again on the same port. */
  start(): Promise<void> {
    this.#transport = this.#transport.then(async () => {
      if (this.#up || this.#closed) return;
      this.#server ??= await this.#listen();
      this.#up = true;
      this.#outageUnnoticed = false;
    });
    return this.#transport;
  }

  /** Ends the streams and the port for good (the network closes the store afterwards). */
  async close(reason: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.catch(() => {});
    this.#services?.gateway.dropStreams(reason);
    this.#services?.deliver.dropStreams(reason);
    const running = this.#server;
    this.#server = undefined;
    if (!running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        running.forceShutdown();
        resolve();
      }, 2_000);
      running.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #shutdownTransport(reason: string): void {
    this.#services?.gateway.dropStreams(reason);
    this.#services?.deliver.dropStreams(reason);
    // grpc-js cannot close a server's connections and keep listening: close everything, listen anew.
    this.#server?.forceShutdown();
    this.#server = undefined;
  }

  async #listen(): Promise<Server> {
    const services = this.#services;
    if (!services) throw new Error(`the peer of ${this.mspId} has no services to serve`);
    // Not 'grpc.enable_channelz': 0 — grpc-js then stops tracking sessions and forceShutdown leaves
    // connections open, which the transport faults rely on.
    const next = new Server({ 'grpc.max_receive_message_length': 100 * 1024 * 1024 });
    next.addService(gatewayServiceDefinition, services.gateway.implementation);
    next.addService(DeliverService, services.deliver.implementation);
    this.#port = await new Promise<number>((resolve, reject) =>
      next.bindAsync(`${this.#host}:${this.#port}`, services.credentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    return next;
  }
}
