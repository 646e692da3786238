/**
 * A devnet of two organizations through the real @hyperledger/fabric-gateway client over gRPC (TLS): each
 * organization's peer endorses with its own chaincode instance, the endorsement policy is checked when the
 * gateway collects endorsements and again at validation, and the gateway answers as a Fabric 2.5 gateway of
 * a two-organization network does (docs/fabric.md): differing endorsements, one organization's peer down,
 * evaluate on the client's organization only.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Contract, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { common, gateway, msp, peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTestGateway,
  KV_CHAINCODE,
  NONDETERMINISTIC_CHAINCODE,
  startCliDevnet,
  startTestDevnet,
  type TestGateway,
} from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';
import { freePort } from '../../test/support/ports.js';
import { classifyError } from '../ledger/errors.js';
import { organizationEnvPath, readConnectionEnv, writeConnectionEnv } from './connection-env.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
let unique = 0;
const key = (name: string) => `${name}-${++unique}`;

/** The endorsed action inside prepared transaction bytes, and a way to write it back. */
function endorsedAction(preparedBytes: Uint8Array) {
  const prepared = gateway.PreparedTransaction.deserializeBinary(preparedBytes);
  const envelope = prepared.getEnvelope() as common.Envelope;
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = transaction.getActionsList()[0] as peer.TransactionAction;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction() as peer.ChaincodeEndorsedAction;
  return {
    endorsed,
    endorserMsps: () => endorsed.getEndorsementsList().map((e) => mspOf(e.getEndorser_asU8())),
    write(): Uint8Array {
      actionPayload.setAction(endorsed);
      action.setPayload(actionPayload.serializeBinary());
      payload.setData(transaction.serializeBinary());
      envelope.setPayload(payload.serializeBinary());
      return prepared.serializeBinary();
    },
  };
}

async function endorseError(promise: Promise<unknown>): Promise<EndorseError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EndorseError);
  return error as EndorseError;
}

const mspOf = (bytes: Uint8Array) => msp.SerializedIdentity.deserializeBinary(bytes).getMspid();

describe.skipIf(externalLedger)(`two organizations, MAJORITY ${DEVNET_SUITE}`, () => {
  let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
  let client: TestGateway;
  let kv: Contract;
  let chaos: Contract;

  beforeAll(async () => {
    devnet = await startTestDevnet({
      orgs: 2,
      chaincodes: [
        { name: 'kv', module: KV_CHAINCODE },
        { name: 'chaos', module: NONDETERMINISTIC_CHAINCODE },
      ],
    });
    client = connectTestGateway(devnet.connection);
    kv = client.gateway.getNetwork('gxchannel').getContract('kv');
    chaos = client.gateway.getNetwork('gxchannel').getContract('chaos');
  });
  afterAll(async () => {
    client?.close();
    await devnet?.stop();
  });

  it('has one peer per organization, each on a port of its own', () => {
    expect(devnet.organizations.map((org) => org.mspId)).toEqual(['GxMSP', 'Org2MSP']);
    const [first, second] = devnet.organizations;
    expect(second?.connection.peerEndpoint).not.toBe(first?.connection.peerEndpoint);
    expect(second?.connection.tlsCaPem).not.toBe(first?.connection.tlsCaPem);
  });

  it('commits a deterministic transaction endorsed by both organizations', async () => {
    const k = key('put');
    const transaction = await kv.newProposal('put', { arguments: [k, 'both'] }).endorse();
    expect(endorsedAction(transaction.getBytes()).endorserMsps()).toEqual(['GxMSP', 'Org2MSP']);
    const status = await (await transaction.submit()).getStatus();
    expect(status).toMatchObject({ successful: true, code: StatusCode.VALID });
    expect(text(await kv.evaluateTransaction('get', k))).toBe('both');
  });

  it('a client of the second organization, on its own peer, commits too', async () => {
    const second = devnet.organizations[1];
    if (!second) throw new Error('no second organization');
    const org2 = connectTestGateway(second.connection);
    try {
      const k = key('org2');
      await org2.gateway.getNetwork('gxchannel').getContract('kv').submitTransaction('put', k, 'from Org2');
      expect(text(await kv.evaluateTransaction('get', k))).toBe('from Org2');
    } finally {
      org2.close();
    }
  });

  for (const fn of ['putRandom', 'putClock'] as const) {
    it(`${fn}: endorsements differ, ABORTED with "ProposalResponsePayloads do not match" from Org2; nothing written`, async () => {
      const k = key(fn);
      const error = await endorseError(chaos.submitTransaction(fn, k));
      expect(error.code).toBe(10);
      expect(error.message).toContain(
        'failed to collect enough transaction endorsements, see attached details for more info',
      );
      expect(error.details).toEqual([
        {
          address: devnet.organizations[1]?.connection.peerEndpoint,
          mspId: 'Org2MSP',
          message: 'ProposalResponsePayloads do not match',
        },
      ]);
      // The backend's verdict: permanent, naming nondeterminism and, given the call, the function.
      expect(classifyError(error, { function: `chaos:${fn}` })).toMatchObject({
        kind: 'PERMANENT',
        reason: 'ENDORSEMENT_MISMATCH',
      });
      expect(classifyError(error, { function: `chaos:${fn}` }).message).toContain(`chaos:${fn} is not deterministic`);
      await expect(chaos.evaluateTransaction('put', k, 'x')).resolves.toBeDefined();
      await expect(kv.evaluateTransaction('get', k)).rejects.toThrow();
    });
  }

  it('evaluate runs on the client organization only, so a nondeterministic query succeeds', async () => {
    expect(text(await chaos.evaluateTransaction('putRandom', key('eval')))).toBe('');
    // Each evaluate is served by the first organization's instance alone: its count runs ahead of Org2's…
    await chaos.evaluateTransaction('countCalls');
    // … so endorsing it, which both instances run, fails.
    const error = await endorseError(chaos.submitTransaction('countCalls'));
    expect(error.details[0]?.message).toBe('ProposalResponsePayloads do not match');
  });

  it('a chaincode error: one detail, from the first organization, as on one organization', async () => {
    const error = await endorseError(kv.submitTransaction('get', key('missing')));
    expect(error.code).toBe(10);
    expect(error.message).toContain('failed to endorse transaction, see attached details for more info');
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatchObject({ mspId: 'GxMSP' });
    expect(error.details[0]?.message).toMatch(/^chaincode response 500, .*does not exist/);
  });

  it('validation: a transaction carrying only one of the two endorsements is an ENDORSEMENT_POLICY_FAILURE', async () => {
    const k = key('one-endorsement');
    const unsigned = await kv.newProposal('put', { arguments: [k, 'half'] }).endorse();
    const action = endorsedAction(unsigned.getBytes());
    action.endorsed.setEndorsementsList(action.endorsed.getEndorsementsList().slice(0, 1));
    const status = await (await client.gateway.newTransaction(action.write()).submit()).getStatus();
    expect(status).toMatchObject({ successful: false, code: StatusCode.ENDORSEMENT_POLICY_FAILURE });
    await expect(kv.evaluateTransaction('get', k)).rejects.toThrow('does not exist');
  });

  it("one organization's peer down: ABORTED with its Unavailable detail once, then FAILED_PRECONDITION until it returns; evaluate keeps working", async () => {
    const k = key('outage');
    await devnet.faults.stopPeer('Org2MSP');
    try {
      expect(devnet.organizations[1]?.isUp()).toBe(false);
      const first = await endorseError(kv.submitTransaction('put', k, 'during'));
      expect(first.code).toBe(10);
      expect(first.details).toHaveLength(1);
      expect(first.details[0]).toMatchObject({ mspId: 'Org2MSP' });
      expect(first.details[0]?.message).toMatch(/^rpc error: code = Unavailable .*connection refused/);
      const next = await endorseError(kv.submitTransaction('put', k, 'during'));
      expect(next.code).toBe(9);
      expect(next.message).toContain(
        'no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
      );
      expect(classifyError(first)).toMatchObject({ kind: 'TRANSIENT', reason: 'ENDORSEMENT_UNAVAILABLE' });
      expect(classifyError(next)).toMatchObject({ kind: 'TRANSIENT', reason: 'ENDORSEMENT_UNAVAILABLE' });
      await expect(kv.evaluateTransaction('get', k)).rejects.toThrow('does not exist');
      // The stopped peer's own port is closed.
      const second = devnet.organizations[1];
      if (!second) throw new Error('no second organization');
      const org2 = connectTestGateway(second.connection);
      try {
        const refused = await org2.gateway
          .getNetwork('gxchannel')
          .getContract('kv')
          .evaluateTransaction('get', k)
          .catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(GatewayError);
        expect((refused as GatewayError).code).toBe(14);
      } finally {
        org2.close();
      }
    } finally {
      await devnet.faults.startPeer('Org2MSP');
    }
    await kv.submitTransaction('put', k, 'after');
    expect(text(await kv.evaluateTransaction('get', k))).toBe('after');
  });

  it('connection settings per organization: connection.env and connection-Org2MSP.env', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-orgs-env-'));
    try {
      // The files name PEM paths in each organization's crypto folder of this devnet.
      await mkdir(path.join(dataDir, 'devnet'));
      const written = await writeConnectionEnv(devnet, dataDir);
      const first = await readConnectionEnv(written);
      const second = await readConnectionEnv(organizationEnvPath(dataDir, 'Org2MSP', false));
      expect(first).toMatchObject({ mspId: 'GxMSP', peerEndpoint: devnet.connection.peerEndpoint });
      expect(second).toEqual(devnet.organizations[1]?.connection);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(externalLedger)(`endorsement policies ${DEVNET_SUITE}`, () => {
  it("OR: the client organization's endorsement suffices, so writes go on while the other peer is down", async () => {
    const devnet = await startTestDevnet({
      orgs: 2,
      endorsementPolicy: "OR('GxMSP.peer','Org2MSP.peer')",
      chaincodes: [{ name: 'kv', module: KV_CHAINCODE }],
    });
    const client = connectTestGateway(devnet.connection);
    try {
      const kv = client.gateway.getNetwork('gxchannel').getContract('kv');
      await devnet.faults.stopPeer('Org2MSP');
      const transaction = await kv.newProposal('put', { arguments: ['or', 'one'] }).endorse();
      expect(endorsedAction(transaction.getBytes()).endorserMsps()).toEqual(['GxMSP']);
      expect((await (await transaction.submit()).getStatus()).successful).toBe(true);
    } finally {
      client.close();
      await devnet.stop();
    }
  });

  it('a policy naming an unknown organization is refused at start, naming it', async () => {
    await expect(startTestDevnet({ orgs: 2, endorsementPolicy: "AND('GxMSP.peer','Org9MSP.peer')" })).rejects.toThrow(
      /'Org9MSP' is not an organization of this network/,
    );
  });
});

describe.skipIf(externalLedger)(`gx devnet --orgs 2 ${DEVNET_SUITE}`, () => {
  it('serves both organizations, writes their connection settings, and stops and starts a peer on request', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-orgs-cli-'));
    const adminPort = await freePort();
    const cli = await startCliDevnet(dataDir, [
      '--orgs',
      '2',
      '--port',
      '0',
      '--admin-port',
      String(adminPort),
      '--chaincode',
      `kv=${KV_CHAINCODE}`,
      '--no-sync',
    ]);
    try {
      const second = await readConnectionEnv(organizationEnvPath(dataDir, 'Org2MSP', false));
      expect(second.mspId).toBe('Org2MSP');
      expect(cli.output()).toContain(`Org2MSP peer on ${second.peerEndpoint}`);
      const admin = `http://127.0.0.1:${adminPort}`;
      const status = (await (await fetch(`${admin}/status`)).json()) as { organizations: unknown[] };
      expect(status.organizations).toEqual([
        { mspId: 'GxMSP', endpoint: cli.connection.peerEndpoint, up: true },
        { mspId: 'Org2MSP', endpoint: second.peerEndpoint, up: true },
      ]);
      const unknown = await fetch(`${admin}/faults/stop-peer?msp=Org9MSP`, { method: 'POST' });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: string }).error).toMatch(/^msp must name a peer organization/);

      const client = connectTestGateway(cli.connection);
      try {
        const kv = client.gateway.getNetwork('gxchannel').getContract('kv');
        await kv.submitTransaction('put', 'cli', 'both');
        expect((await fetch(`${admin}/faults/stop-peer?msp=Org2MSP`, { method: 'POST' })).status).toBe(200);
        const down = await endorseError(kv.submitTransaction('put', 'cli', 'down'));
        expect(down.details[0]?.mspId).toBe('Org2MSP');
        expect((await fetch(`${admin}/faults/start-peer?msp=Org2MSP`, { method: 'POST' })).status).toBe(200);
        await kv.submitTransaction('put', 'cli', 'again');
        expect(text(await kv.evaluateTransaction('get', 'cli'))).toBe('again');
      } finally {
        client.close();
      }
    } finally {
      await cli.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
