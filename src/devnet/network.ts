/**
 * Assembles a devnet: identities, ledger, chaincodes, orderer and the gRPC server, plus the fault controls
 * that act on the transport.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import eventsGrpc from '@hyperledger/fabric-protos/lib/peer/events_grpc_pb.js';
import { FABRIC_ROLES, fabricIdentityVariables } from '../config.js';
import { BlockFeed } from './chaincode-events.js';
import { HostedChaincode } from './chaincode-host.js';
import { ChannelMembers } from './channel-members.js';
import { createDeliverService } from './deliver-service.js';
import { FaultState } from './faults.js';
import { createGatewayService, gatewayServiceDefinition } from './gateway-service.js';
import { issueIdentity, loadOrCreateIdentities, TLS_SERVER_NAME } from './identities.js';
import type { Devnet, DevnetConnection, DevnetOptions } from './index.js';
import { LedgerStore } from './ledger-store.js';
import { devnetBlockCommitSeconds, devnetBlocks, devnetHeight, devnetTransactions } from './metrics.js';
import { PeerSigner } from './msp.js';
import { Orderer } from './orderer.js';

// A CommonJS module whose exports Node cannot name statically.
const { DeliverService } = eventsGrpc;

const validationCodeNames = new Map<number, string>(
  Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]),
);

/** Default chaincode: the project's own. */
const DEFAULT_CHAINCODES = [{ name: 'gxtv3', module: '@gx/chaincode' }];

/** Starts a devnet; see {@link DevnetOptions} for the defaults. */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const channel = options.channel ?? 'gxchannel';
  const mspId = options.mspId ?? 'GxMSP';
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? true;
  const logger = options.logger;
  const folder = path.join(options.dataDir, 'devnet');
  await mkdir(folder, { recursive: true });

  const identities = await loadOrCreateIdentities(path.join(folder, 'crypto'), mspId);
  const memberCas = new Map([[mspId, identities.ca]]);
  for (const member of options.memberOrganizations ?? []) {
    if (memberCas.has(member)) throw new Error(`organization '${member}' is given twice`);
    // A CA per organization, kept with devnet's crypto so that identities minted earlier stay valid.
    const caFolder = path.join(folder, 'crypto', member);
    memberCas.set(member, (await loadOrCreateIdentities(caFolder, member)).ca);
  }
  const chaincodes = new Map<string, HostedChaincode>();
  for (const { name, module } of options.chaincodes ?? DEFAULT_CHAINCODES) {
    if (chaincodes.has(name)) throw new Error(`chaincode '${name}' is given twice`);
    chaincodes.set(name, await HostedChaincode.load(name, module));
  }

  const store = await LedgerStore.open(path.join(folder, 'ledger'), { sync: options.syncWrites ?? true });
  devnetHeight.set(store.height);
  const feed = new BlockFeed();
  let server: Server | undefined;
  let port = options.port ?? 0;
  let closed = false;

  /** Serialises transport restarts, so overlapping faults cannot leave two servers or none. */
  let transport: Promise<void> = Promise.resolve();
  const restart = (pauseMs: number, reason: string): Promise<void> => {
    // Takes effect at once: streams end and the port closes before this returns.
    service.dropStreams(reason);
    deliver.dropStreams(reason);
    // grpc-js cannot close a server's connections and keep listening: close everything, listen anew.
    server?.forceShutdown();
    server = undefined;
    transport = transport.then(async () => {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (!closed && !server) server = await listen();
    });
    return transport;
  };

  const faults = new FaultState({
    dropStreams: () => {
      restart(0, 'devnet fault: streams dropped').catch((error: unknown) =>
        logger?.error({ err: error }, 'devnet could not listen again after dropping connections'),
      );
    },
    refuseConnections: (ms) => restart(ms, 'devnet fault: connections refused'),
  });

  const orderer = new Orderer(
    store,
    {
      blockSize: options.blockSize ?? 500,
      blockTimeoutMs: options.blockTimeoutMs ?? 20,
      commitLatencyMs: options.commitLatencyMs ?? 0,
    },
    {
      takeForcedConflict: () => faults.takeForcedConflict(),
      committed: (block, elapsedMs) => {
        devnetBlocks.inc();
        devnetHeight.set(block.number + 1);
        devnetBlockCommitSeconds.observe(elapsedMs / 1000);
        for (const tx of block.transactions) {
          devnetTransactions.inc({ validation_code: validationCodeNames.get(tx.code) ?? String(tx.code) });
        }
        logger?.debug({ block: block.number, transactions: block.transactions.length, elapsedMs }, 'block committed');
        feed.publish(block);
      },
      failed: (error) => logger?.error({ err: error }, 'writing a block failed; devnet stops accepting transactions'),
    },
  );

  const membership = new ChannelMembers(
    mspId,
    identities.ca.certPem,
    new Map([...memberCas].filter(([id]) => id !== mspId).map(([id, ca]) => [id, ca.certPem])),
  );
  const service = createGatewayService({
    channel,
    mspId,
    get address() {
      return `${host}:${port}`;
    },
    concurrencyLimit: options.concurrencyLimit ?? 500,
    store,
    orderer,
    membership,
    signer: new PeerSigner(mspId, identities.peer.certPem, identities.peer.keyPem),
    chaincodes,
    faults,
    feed,
  });
  const deliver = createDeliverService({ channel, store, feed, membership });

  const credentials = tls
    ? ServerCredentials.createSsl(
        null,
        [{ private_key: Buffer.from(identities.tls.keyPem), cert_chain: Buffer.from(identities.tls.certPem) }],
        false,
      )
    : ServerCredentials.createInsecure();

  async function listen(): Promise<Server> {
    // Not 'grpc.enable_channelz': 0 — grpc-js then stops tracking sessions and forceShutdown leaves
    // connections open, which the transport faults rely on.
    const next = new Server({ 'grpc.max_receive_message_length': 100 * 1024 * 1024 });
    next.addService(gatewayServiceDefinition, service.implementation);
    next.addService(DeliverService, deliver.implementation);
    port = await new Promise<number>((resolve, reject) =>
      next.bindAsync(`${host}:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return next;
  }

  try {
    server = await listen();
  } catch (error) {
    await store.close();
    throw error;
  }

  const connection: DevnetConnection = {
    peerEndpoint: `${host}:${port}`,
    ...(tls ? { tlsCaPem: identities.ca.certPem, tlsHostOverride: TLS_SERVER_NAME } : {}),
    mspId,
    channel,
    identities: identities.roles,
  };
  logger?.info(
    { endpoint: connection.peerEndpoint, channel, mspId, tls, chaincodes: [...chaincodes.keys()] },
    'devnet serving',
  );

  return {
    connection,
    env: () => ({
      GX_FABRIC_PEER_ENDPOINT: connection.peerEndpoint,
      GX_FABRIC_TLS: String(tls),
      ...(connection.tlsCaPem ? { GX_FABRIC_TLS_CA: connection.tlsCaPem } : {}),
      ...(connection.tlsHostOverride ? { GX_FABRIC_TLS_HOST_OVERRIDE: connection.tlsHostOverride } : {}),
      GX_FABRIC_MSP_ID: mspId,
      ...Object.fromEntries(
        FABRIC_ROLES.flatMap((role) => {
          const variables = fabricIdentityVariables(role);
          return [
            [variables.cert, connection.identities[role].certPem],
            [variables.key, connection.identities[role].keyPem],
          ];
        }),
      ),
      GX_FABRIC_CHANNEL: channel,
      GX_FABRIC_CHAINCODE: [...chaincodes.keys()][0] ?? 'gxtv3',
    }),
    faults,
    setCommitLatency: (ms) => orderer.setCommitLatency(ms),
    height: () => BigInt(store.height),
    async issueIdentity(request) {
      const member = request.mspId ?? mspId;
      const ca = memberCas.get(member);
      if (!ca) throw new Error(`'${member}' is not an organization of this devnet (see memberOrganizations)`);
      return { mspId: member, ...(await issueIdentity(ca, member, request)) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await transport.catch(() => {});
      await orderer.close();
      service.dropStreams('devnet is shutting down');
      deliver.dropStreams('devnet is shutting down');
      const running = server;
      server = undefined;
      if (running) {
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
      await store.close();
    },
  };
}
