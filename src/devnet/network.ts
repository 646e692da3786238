/**
 * Assembles a devnet: identities, ledger, chaincodes, orderer and the gRPC server, plus the fault controls
 * that act on the transport.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import { FABRIC_ROLES, fabricIdentityVariables } from '../config.js';
import { BlockFeed } from './chaincode-events.js';
import { HostedChaincode } from './chaincode-host.js';
import { ChannelMembers } from './channel-members.js';
import { createDeliverService } from './deliver-service.js';
import { DEFAULT_ENDORSEMENT_POLICY, parseEndorsementPolicy } from './endorsement-policy.js';
import { FaultState } from './faults.js';
import { createGatewayService } from './gateway-service.js';
import { type DevnetIdentities, issueIdentity, loadOrCreateIdentities, TLS_SERVER_NAME } from './identities.js';
import type { Devnet, DevnetConnection, DevnetOptions, DevnetOrganization } from './index.js';
import { LedgerStore } from './ledger-store.js';
import { devnetBlockCommitSeconds, devnetBlocks, devnetHeight, devnetTransactions } from './metrics.js';
import { PeerSigner } from './msp.js';
import { Orderer } from './orderer.js';
import { PeerOrganization } from './peer-organization.js';

const validationCodeNames = new Map<number, string>(
  Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]),
);

/** gxtv3's setting of the organization allowed to bootstrap (chaincode/src/authorization.ts). */
const BOOTSTRAP_MSP_VARIABLE = 'CHAINCODE_BOOTSTRAP_MSP_ID';

/** Default chaincode: the project's own. */
const DEFAULT_CHAINCODES = [{ name: 'gxtv3', module: '@gx/chaincode' }];

/** The MSP id of the `index`-th peer organization (0-based): the first is `mspId`, then Org2MSP, Org3MSP, … */
function peerOrganizationId(mspId: string, index: number): string {
  return index === 0 ? mspId : `Org${index + 1}MSP`;
}

/** The GX_FABRIC_* variables (src/config.ts) pointing a backend at one organization's peer (PEM inline). */
function connectionVariables(connection: DevnetConnection, tls: boolean, chaincode: string): Record<string, string> {
  return {
    GX_FABRIC_PEER_ENDPOINT: connection.peerEndpoint,
    GX_FABRIC_TLS: String(tls),
    ...(connection.tlsCaPem ? { GX_FABRIC_TLS_CA: connection.tlsCaPem } : {}),
    ...(connection.tlsHostOverride ? { GX_FABRIC_TLS_HOST_OVERRIDE: connection.tlsHostOverride } : {}),
    GX_FABRIC_MSP_ID: connection.mspId,
    ...Object.fromEntries(
      FABRIC_ROLES.flatMap((role) => {
        const variables = fabricIdentityVariables(role);
        return [
          [variables.cert, connection.identities[role].certPem],
          [variables.key, connection.identities[role].keyPem],
        ];
      }),
    ),
    GX_FABRIC_CHANNEL: connection.channel,
    GX_FABRIC_CHAINCODE: chaincode,
  };
}

/** Starts a devnet; see {@link DevnetOptions} for the defaults. */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const channel = options.channel ?? 'gxchannel';
  const mspId = options.mspId ?? 'GxMSP';
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? true;
  const orgCount = options.orgs ?? 1;
  if (!Number.isInteger(orgCount) || orgCount < 1)
    throw new Error(`orgs must be a whole number of at least 1, not ${orgCount}`);
  const logger = options.logger;
  const folder = path.join(options.dataDir, 'devnet');
  await mkdir(folder, { recursive: true });
  const chaincodeList = options.chaincodes ?? DEFAULT_CHAINCODES;
  if (orgCount > 1) {
    // The first organization's super admin bootstraps gxtv3. On a peer of another organization the chaincode
    // would otherwise take that peer's own MSP as the bootstrap organization and refuse, so the endorsements
    // would differ: a multi-organization deployment sets this variable on every chaincode server
    // (deploy/README.md), and devnet's peers share this process's environment.
    process.env[BOOTSTRAP_MSP_VARIABLE] ??= mspId;
  }

  const policy = parseEndorsementPolicy(
    options.endorsementPolicy ?? DEFAULT_ENDORSEMENT_POLICY,
    Array.from({ length: orgCount }, (_, index) => peerOrganizationId(mspId, index)),
  );

  // Organization 0 keeps its crypto where a one-organization devnet has it, so a data folder works either way.
  const peerOrgs: PeerOrganization[] = [];
  for (let index = 0; index < orgCount; index++) {
    const orgMsp = peerOrganizationId(mspId, index);
    const cryptoFolder = index === 0 ? path.join(folder, 'crypto') : path.join(folder, 'crypto', orgMsp);
    const identities: DevnetIdentities = await loadOrCreateIdentities(cryptoFolder, orgMsp);
    const chaincodes = new Map<string, HostedChaincode>();
    for (const { name, module } of chaincodeList) {
      if (chaincodes.has(name)) throw new Error(`chaincode '${name}' is given twice`);
      // An instance per organization: each peer runs the chaincode on its own, as its own container would.
      chaincodes.set(name, await HostedChaincode.load(name, module));
    }
    const port = options.port === undefined || options.port === 0 ? 0 : options.port + index;
    peerOrgs.push(
      new PeerOrganization({
        mspId: orgMsp,
        identities,
        signer: new PeerSigner(orgMsp, identities.peer.certPem, identities.peer.keyPem),
        chaincodes,
        cryptoFolder,
        host,
        port,
      }),
    );
  }
  const [first] = peerOrgs as [PeerOrganization];

  const memberCas = new Map(peerOrgs.map((org) => [org.mspId, org.identities.ca]));
  for (const member of options.memberOrganizations ?? []) {
    if (memberCas.has(member)) throw new Error(`organization '${member}' is given twice`);
    // A CA per organization, kept with devnet's crypto so that identities minted earlier stay valid.
    const caFolder = path.join(folder, 'crypto', member);
    memberCas.set(member, (await loadOrCreateIdentities(caFolder, member)).ca);
  }

  const store = await LedgerStore.open(path.join(folder, 'ledger'), { sync: options.syncWrites ?? true });
  devnetHeight.set(store.height);
  const feed = new BlockFeed();
  let closed = false;

  /** Fault switches of one organization's peer; stopping and starting any peer can be asked of each. */
  const faultsOf = (org: PeerOrganization) =>
    new FaultState({
      dropStreams: () => {
        org
          .restart(0, 'devnet fault: streams dropped')
          .catch((error: unknown) =>
            logger?.error({ err: error }, 'devnet could not listen again after dropping connections'),
          );
      },
      refuseConnections: (ms) => org.restart(ms, 'devnet fault: connections refused'),
      stopPeer: (orgMsp) => organization(orgMsp).stop(),
      startPeer: (orgMsp) => organization(orgMsp).start(),
    });
  // The faults a devnet offers act on the first organization's peer, the one `connection` points at.
  const faults = faultsOf(first);

  function organization(orgMsp: string): PeerOrganization {
    const found = peerOrgs.find((org) => org.mspId === orgMsp);
    if (!found) {
      throw new Error(
        `'${orgMsp}' is not a peer organization of this devnet (${peerOrgs.map((o) => o.mspId).join(', ')})`,
      );
    }
    return found;
  }

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
    first.identities.ca.certPem,
    new Map([...memberCas].filter(([id]) => id !== mspId).map(([id, ca]) => [id, ca.certPem])),
  );
  try {
    for (const org of peerOrgs) {
      const gateway = createGatewayService({
        channel,
        mspId: org.mspId,
        get address() {
          return org.address;
        },
        concurrencyLimit: options.concurrencyLimit ?? 500,
        store,
        orderer,
        membership,
        signer: org.signer,
        chaincodes: org.chaincodes,
        organizations: peerOrgs,
        policy,
        faults: org === first ? faults : faultsOf(org),
        feed,
        logger,
      });
      const deliver = createDeliverService({ channel, store, feed, membership });
      const credentials = tls
        ? ServerCredentials.createSsl(
            null,
            [
              {
                private_key: Buffer.from(org.identities.tls.keyPem),
                cert_chain: Buffer.from(org.identities.tls.certPem),
              },
            ],
            false,
          )
        : ServerCredentials.createInsecure();
      await org.serve({ gateway, deliver, credentials });
    }
  } catch (error) {
    for (const org of peerOrgs) await org.close('devnet failed to start');
    await store.close();
    throw error;
  }

  const chaincodeName = chaincodeList[0]?.name ?? 'gxtv3';
  const connectionOf = (org: PeerOrganization): DevnetConnection => ({
    peerEndpoint: org.address,
    ...(tls ? { tlsCaPem: org.identities.ca.certPem, tlsHostOverride: TLS_SERVER_NAME } : {}),
    mspId: org.mspId,
    channel,
    identities: org.identities.roles,
  });
  const organizations: DevnetOrganization[] = peerOrgs.map((org) => {
    const connection = connectionOf(org);
    return {
      mspId: org.mspId,
      connection,
      cryptoFolder: org.cryptoFolder,
      env: () => connectionVariables(connection, tls, chaincodeName),
      isUp: () => org.up,
    };
  });
  const [firstOrganization] = organizations as [DevnetOrganization];
  logger?.info(
    {
      endpoints: organizations.map((org) => `${org.mspId}@${org.connection.peerEndpoint}`),
      channel,
      tls,
      chaincodes: [...first.chaincodes.keys()],
      endorsementPolicy: options.endorsementPolicy ?? DEFAULT_ENDORSEMENT_POLICY,
    },
    'devnet serving',
  );

  return {
    connection: firstOrganization.connection,
    organizations,
    env: firstOrganization.env,
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
      await orderer.close();
      for (const org of peerOrgs) await org.close('devnet is shutting down');
      await store.close();
    },
  };
}
