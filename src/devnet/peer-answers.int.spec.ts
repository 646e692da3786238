/**
 * Answers devnet must give as a real Fabric 2.5.12 peer gave them to fabric-gateway 1.11 (docs/fabric.md,
 * "How a Fabric 2.5 peer answers"): an unknown channel per call, an unknown chaincode on evaluate, an
 * identity from a foreign CA per call, and a filtered block listing an MVCC-invalid transaction with its
 * actions and chaincode event name. Each is also classified: permanent, with a reason naming what is wrong.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  connect,
  EndorseError,
  type Gateway,
  GatewayError,
  hash,
  StatusCode,
  signers,
} from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';
import { classifyError } from '../ledger/errors.js';
import { loadOrCreateIdentities } from './identities.js';

let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
let client: TestGateway;
let foreign: Gateway;
let folder: string;

beforeAll(async () => {
  devnet = await startTestDevnet({ chaincodes: [{ name: 'kv', module: KV_CHAINCODE }] });
  client = connectTestGateway(devnet.connection);
  // A client certificate from another CA, under devnet's MSP id: what a copied or mixed-up identity looks like.
  folder = await mkdtemp(path.join(tmpdir(), 'gx-foreign-ca-'));
  const other = await loadOrCreateIdentities(folder, devnet.connection.mspId);
  foreign = connect({
    client: client.grpc,
    identity: { mspId: devnet.connection.mspId, credentials: Buffer.from(other.roles.registrar.certPem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(other.roles.registrar.keyPem)),
    hash: hash.sha256,
  });
});

afterAll(async () => {
  foreign?.close();
  client?.close();
  await devnet?.stop();
  await rm(folder, { recursive: true, force: true });
});

async function failure(run: () => Promise<unknown>): Promise<GatewayError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

/** The first item of a chaincode event stream, or its error. */
async function firstEvent(gateway: Gateway, channel: string): Promise<unknown> {
  const events = await gateway.getNetwork(channel).getChaincodeEvents('kv', { startBlock: 0n });
  try {
    for await (const event of events) return event;
  } finally {
    events.close();
  }
  return undefined;
}

describe.skipIf(externalLedger)(`an unknown channel ${DEVNET_SUITE}`, () => {
  const kv = () => client.gateway.getNetwork('nochannel').getContract('kv');

  it('evaluate: UNAVAILABLE, failed to get config for the channel (permanent: UNKNOWN_CHANNEL)', async () => {
    const error = await failure(() => kv().evaluateTransaction('get', 'k'));
    expect(error.code).toBe(14);
    expect(error.message).toBe(
      '14 UNAVAILABLE: failed to get config for channel [nochannel]: could not get last config for channel nochannel',
    );
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'UNKNOWN_CHANNEL' });
  });

  it('endorse: EndorseError FAILED_PRECONDITION, no metadata for the chaincode in the channel', async () => {
    const error = await failure(() => kv().submitTransaction('put', 'k', 'v'));
    expect(error).toBeInstanceOf(EndorseError);
    expect(error.code).toBe(9);
    expect(error.message).toBe(
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode kv in channel nochannel',
    );
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'UNKNOWN_CHAINCODE' });
  });

  it('chaincode events: PERMISSION_DENIED, no policy manager for the channel', async () => {
    const error = (await firstEvent(client.gateway, 'nochannel').catch((caught: unknown) => caught)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe(7);
    expect(error.message).toBe('7 PERMISSION_DENIED: Failed to get policy manager for channel [nochannel]');
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'UNKNOWN_CHANNEL' });
  });
});

describe.skipIf(externalLedger)(`an unknown chaincode ${DEVNET_SUITE}`, () => {
  it('evaluate: FAILED_PRECONDITION, no peers available to evaluate it (permanent: UNKNOWN_CHAINCODE)', async () => {
    const missing = client.gateway.getNetwork('gxchannel').getContract('missing');
    const error = await failure(() => missing.evaluateTransaction('get', 'k'));
    expect(error).not.toBeInstanceOf(EndorseError);
    expect(error.code).toBe(9);
    expect(error.message).toBe(
      '9 FAILED_PRECONDITION: no peers available to evaluate chaincode missing in channel gxchannel',
    );
    expect(error.details).toEqual([]);
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'UNKNOWN_CHAINCODE' });
  });
});

describe.skipIf(externalLedger)(`an identity from a foreign CA ${DEVNET_SUITE}`, () => {
  const refusal =
    'error validating proposal: access denied: channel [gxchannel] creator org unknown, creator is malformed';

  it('evaluate: FAILED_PRECONDITION, creator org unknown, the same text as the detail', async () => {
    const error = await failure(() =>
      foreign.getNetwork('gxchannel').getContract('kv').evaluateTransaction('get', 'k'),
    );
    expect(error.code).toBe(9);
    expect(error.message).toBe(`9 FAILED_PRECONDITION: evaluate call to endorser returned error: ${refusal}`);
    expect(error.details).toEqual([
      { address: devnet.connection.peerEndpoint, mspId: devnet.connection.mspId, message: refusal },
    ]);
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'ACCESS_DENIED' });
  });

  it('endorse: ABORTED with the refusal as the detail (permanent, not retried)', async () => {
    const error = await failure(() =>
      foreign.getNetwork('gxchannel').getContract('kv').submitTransaction('put', 'k', 'v'),
    );
    expect(error).toBeInstanceOf(EndorseError);
    expect(error.code).toBe(10);
    expect(error.message).toBe('10 ABORTED: failed to endorse transaction, see attached details for more info');
    expect(error.details.map((detail) => detail.message)).toEqual([refusal]);
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'ACCESS_DENIED' });
  });

  it("chaincode events: PERMISSION_DENIED by the channel's Readers policy", async () => {
    const error = (await firstEvent(foreign, 'gxchannel').catch((caught: unknown) => caught)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe(7);
    expect(error.message).toMatch(
      /^7 PERMISSION_DENIED: Failed evaluating policy on signed data during check policy on channel \[gxchannel\] with policy \[\/Channel\/Application\/Readers\]: /,
    );
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'ACCESS_DENIED' });
  });
});

describe.skipIf(externalLedger)(`filtered blocks ${DEVNET_SUITE}`, () => {
  it('list an MVCC-invalid transaction with its actions and chaincode event name, as a valid one', async () => {
    const network = client.gateway.getNetwork('gxchannel');
    const kv = network.getContract('kv');
    devnet.faults.forceMvccConflicts(1);
    const commit = await kv.submitAsync('put', { arguments: ['mvcc-filtered', 'v'] });
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.MVCC_READ_CONFLICT);
    const blocks = await network.getFilteredBlockEvents({ startBlock: status.blockNumber });
    try {
      for await (const block of blocks) {
        const tx = block.getFilteredTransactionsList().find((t) => t.getTxid() === commit.getTransactionId());
        expect(tx?.getTxValidationCode()).toBe(StatusCode.MVCC_READ_CONFLICT);
        const actions = tx?.getTransactionActions()?.getChaincodeActionsList() ?? [];
        expect(actions.map((action) => action.getChaincodeEvent()?.getEventName())).toEqual(['Put']);
        expect(actions[0]?.getChaincodeEvent()?.getChaincodeId()).toBe('kv');
        break;
      }
    } finally {
      blocks.close();
    }
    // The invalid transaction's event is not delivered as a chaincode event.
    const events = await network.getChaincodeEvents('kv', { startBlock: status.blockNumber });
    const next = await Promise.race([
      events[Symbol.asyncIterator]().next(),
      new Promise((resolve) => setTimeout(() => resolve('none'), 500)),
    ]);
    events.close();
    expect(next).toBe('none');
  });
});
