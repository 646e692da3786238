/**
 * devnet through the real @hyperledger/fabric-gateway client over gRPC (TLS): results, commit status, the
 * error shapes a Fabric 2.5 peer gives, MVCC, duplicate transaction ids, bad signatures,
 * identities, namespaces and the dispatcher's behaviour for a plain JavaScript chaincode loaded by path.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { CommitError, type Contract, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { common, gateway, peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';
import { devnetTransactions } from './metrics.js';
import { decodeReadWriteSet, encodeReadWriteSet } from './read-write-set.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
let unique = 0;
const key = (name: string) => `${name}-${++unique}`;

let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
let client: TestGateway;
let admin: TestGateway;
let kv: Contract;

beforeAll(async () => {
  devnet = await startTestDevnet({
    chaincodes: [
      { name: 'kv', module: KV_CHAINCODE },
      { name: 'kv2', module: KV_CHAINCODE },
    ],
  });
  client = connectTestGateway(devnet.connection);
  admin = connectTestGateway(devnet.connection, { as: 'super_admin' });
  kv = client.gateway.getNetwork('gxchannel').getContract('kv');
});

afterAll(async () => {
  client?.close();
  admin?.close();
  await devnet?.stop();
});

/** Rewrites the value `key` is written with inside a prepared transaction, leaving the endorsement as it was. */
function tamper(preparedBytes: Uint8Array, key: string, value: string): Uint8Array {
  const prepared = gateway.PreparedTransaction.deserializeBinary(preparedBytes);
  const envelope = prepared.getEnvelope() as common.Envelope;
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = transaction.getActionsList()[0] as peer.TransactionAction;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction() as peer.ChaincodeEndorsedAction;
  const responsePayload = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
  const sets = decodeReadWriteSet(chaincodeAction.getResults_asU8()).map((set) => ({
    ...set,
    writes: set.writes.map((write) => (write.key === key ? { key, value: Buffer.from(value) } : write)),
  }));
  chaincodeAction.setResults(encodeReadWriteSet(sets));
  responsePayload.setExtension$(chaincodeAction.serializeBinary());
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  actionPayload.setAction(endorsed);
  action.setPayload(actionPayload.serializeBinary());
  payload.setData(transaction.serializeBinary());
  envelope.setPayload(payload.serializeBinary());
  return prepared.serializeBinary();
}

async function duplicateCount(): Promise<number> {
  const metric = await devnetTransactions.get();
  return metric.values.find((v) => v.labels.validation_code === 'DUPLICATE_TXID')?.value ?? 0;
}

describe.skipIf(externalLedger)(`submit, evaluate, commit status ${DEVNET_SUITE}`, () => {
  it('returns the chaincode result, commits it, and evaluates the committed value', async () => {
    const k = key('put');
    const proposal = kv.newProposal('put', { arguments: [k, 'hello'] });
    const transaction = await proposal.endorse();
    expect(text(transaction.getResult())).toBe('hello');
    const commit = await transaction.submit();
    const status = await commit.getStatus();
    expect(status).toMatchObject({
      successful: true,
      code: StatusCode.VALID,
      transactionId: proposal.getTransactionId(),
    });
    expect(status.blockNumber).toBeGreaterThan(0n);
    expect(status.blockNumber).toBeLessThan(devnet.height());
    expect(text(await kv.evaluateTransaction('get', k))).toBe('hello');
    expect(text(await kv.evaluateTransaction('kv:get', k))).toBe('hello');
  });

  it('answers commit status again later from the saved commit bytes', async () => {
    const transaction = await kv.newProposal('put', { arguments: [key('saved'), 'x'] }).endorse();
    const commit = await transaction.submit();
    const first = await commit.getStatus();
    const again = await client.gateway.newCommit(commit.getBytes()).getStatus();
    expect(again).toEqual(first);
  });

  it('evaluating does not write: a read-only call leaves no trace in the state', async () => {
    const k = key('evaluate-put');
    await kv.evaluateTransaction('put', k, 'never');
    await expect(kv.evaluateTransaction('get', k)).rejects.toThrow(`key ${k} does not exist`);
  });

  it('passes transient data to the chaincode and leaves it out of the transaction', async () => {
    const k = key('transient');
    const proposal = kv.newProposal('putTransient', { arguments: [k], transientData: { value: 'hidden-value' } });
    const transaction = await proposal.endorse();
    expect(Buffer.from(transaction.getBytes()).includes('hidden-value')).toBe(false);
    expect(await (await transaction.submit()).getStatus()).toMatchObject({ code: StatusCode.VALID });
    expect(text(await kv.evaluateTransaction('get', k))).toBe(
      createHash('sha256').update('hidden-value').digest('hex'),
    );
  });

  it('serves GetMetadata through the dispatcher with the plain functions introspected', async () => {
    const metadata = JSON.parse(text(await kv.evaluateTransaction('org.hyperledger.fabric:GetMetadata')));
    const names = metadata.contracts.kv.transactions.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['put', 'get', 'increment', 'fail', 'list']));
  });

  it('gives the chaincode the caller identity with its MSP id and certificate attributes', async () => {
    const adminKv = admin.gateway.getNetwork('gxchannel').getContract('kv');
    // Twice each, interleaved: devnet reuses what it parsed from a creator's certificate the first time.
    for (let round = 0; round < 2; round++) {
      expect(JSON.parse(text(await adminKv.evaluateTransaction('whoAmI')))).toEqual({
        mspId: 'GxMSP',
        role: 'super_admin',
      });
      expect(JSON.parse(text(await kv.evaluateTransaction('whoAmI')))).toEqual({ mspId: 'GxMSP', role: 'registrar' });
    }
  });

  it('serves range queries as async iterables, in key order', async () => {
    const prefix = key('range');
    await Promise.all(['b', 'a', 'c'].map((s) => kv.submitTransaction('put', `${prefix}/${s}`, s)));
    const listed = JSON.parse(text(await kv.evaluateTransaction('list', `${prefix}/`, `${prefix}/~`)));
    expect(listed.map((e: { value: string }) => e.value)).toEqual(['a', 'b', 'c']);
  });

  it('keeps each chaincode in its own namespace of world state', async () => {
    const k = key('namespace');
    await kv.submitTransaction('put', k, 'in-kv');
    const kv2 = client.gateway.getNetwork('gxchannel').getContract('kv2');
    await expect(kv2.evaluateTransaction('get', k)).rejects.toThrow(`key ${k} does not exist`);
  });
});

describe.skipIf(externalLedger)(`errors shaped as a Fabric 2.5 peer shapes them ${DEVNET_SUITE}`, () => {
  it('chaincode error on submit: EndorseError, ABORTED, message in the details', async () => {
    const error = await kv.submitTransaction('fail', 'insufficient funds').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndorseError);
    const endorseError = error as EndorseError;
    expect(endorseError.code).toBe(10);
    expect(endorseError.message).toBe('10 ABORTED: failed to endorse transaction, see attached details for more info');
    expect(endorseError.transactionId).toMatch(/^[0-9a-f]{64}$/);
    expect(endorseError.details).toEqual([
      {
        address: devnet.connection.peerEndpoint,
        mspId: 'GxMSP',
        message: 'chaincode response 500, insufficient funds',
      },
    ]);
  });

  it('unknown function: the dispatcher message, as an EndorseError', async () => {
    const error = (await kv.submitTransaction('nope').catch((e: unknown) => e)) as EndorseError;
    expect(error).toBeInstanceOf(EndorseError);
    expect(error.code).toBe(10);
    expect(error.details[0]?.message).toBe(
      "chaincode response 500, You've asked to invoke a function that does not exist: nope",
    );
  });

  it('chaincode error on evaluate: GatewayError, UNKNOWN, message in the details', async () => {
    const error = (await kv.evaluateTransaction('fail', 'boom').catch((e: unknown) => e)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).not.toBeInstanceOf(EndorseError);
    expect(error.code).toBe(2);
    expect(error.message).toBe('2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, boom');
    expect(error.details).toEqual([
      { address: devnet.connection.peerEndpoint, mspId: 'GxMSP', message: 'chaincode response 500, boom' },
    ]);
  });

  it('unknown chaincode: FAILED_PRECONDITION, no details', async () => {
    const missing = client.gateway.getNetwork('gxchannel').getContract('missing');
    const error = (await missing.submitTransaction('x').catch((e: unknown) => e)) as EndorseError;
    expect(error).toBeInstanceOf(EndorseError);
    expect(error.code).toBe(9);
    expect(error.message).toBe(
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode missing in channel gxchannel',
    );
    expect(error.details).toEqual([]);
  });
});

describe.skipIf(externalLedger)(`validation ${DEVNET_SUITE}`, () => {
  it('two concurrent read-modify-writes of one key: the first VALID, the second MVCC_READ_CONFLICT', async () => {
    const k = key('counter');
    const first = await kv.newProposal('increment', { arguments: [k] }).endorse();
    const second = await kv.newProposal('increment', { arguments: [k] }).endorse();
    // Both endorsed before either commits: the results say nothing about validity.
    expect(text(first.getResult())).toBe('1');
    expect(text(second.getResult())).toBe('1');
    const [firstCommit, secondCommit] = await Promise.all([first.submit(), second.submit()]);
    expect(await firstCommit.getStatus()).toMatchObject({ successful: true, code: StatusCode.VALID });
    expect(await secondCommit.getStatus()).toMatchObject({ successful: false, code: StatusCode.MVCC_READ_CONFLICT });
    expect(text(await kv.evaluateTransaction('get', k))).toBe('1');
  });

  it('submitTransaction rejects a conflicting transaction with CommitError code 11 and the peer message', async () => {
    const k = key('counter');
    devnet.faults.forceMvccConflicts(1);
    const error = (await kv.submitTransaction('increment', k).catch((e: unknown) => e)) as CommitError;
    expect(error).toBeInstanceOf(CommitError);
    expect(error.code).toBe(11);
    expect(error.message).toBe(
      `Transaction ${error.transactionId} failed to commit with status code 11 (MVCC_READ_CONFLICT)`,
    );
  });

  it('re-submitting the same signed bytes after commit is accepted and reports the original outcome', async () => {
    const k = key('resubmit');
    const transaction = await kv.newProposal('increment', { arguments: [k] }).endorse();
    const original = await (await transaction.submit()).getStatus();
    const before = await duplicateCount();
    const again = await (await client.gateway.newTransaction(transaction.getBytes()).submit()).getStatus();
    expect(again).toEqual(original);
    expect(text(await kv.evaluateTransaction('get', k))).toBe('1');
    // The resubmission was ordered and marked DUPLICATE_TXID; its writes were not applied.
    await expect.poll(duplicateCount).toBe(before + 1);
  });

  it('two copies of one transaction in flight: one commits, the other is a DUPLICATE_TXID', async () => {
    const k = key('duplicate');
    const transaction = await kv.newProposal('increment', { arguments: [k] }).endorse();
    const before = await duplicateCount();
    const copy = client.gateway.newTransaction(transaction.getBytes());
    const [a, b] = await Promise.all([transaction.submit(), copy.submit()]);
    const [statusA, statusB] = await Promise.all([a.getStatus(), b.getStatus()]);
    expect(statusA).toMatchObject({ successful: true, code: StatusCode.VALID });
    expect(statusB).toEqual(statusA);
    // The copy may be ordered into the next block, after the status of the first was reported.
    await expect.poll(duplicateCount).toBe(before + 1);
    expect(text(await kv.evaluateTransaction('get', k))).toBe('1');
  });

  it('a transaction signed by someone other than its creator is invalid (BAD_CREATOR_SIGNATURE)', async () => {
    const k = key('forged');
    const unsigned = await kv.newProposal('put', { arguments: [k, 'forged'] }).endorse();
    // Signed with the admin's key although the creator is the client.
    const forged = sign(
      'sha256',
      unsigned.getBytes(),
      createPrivateKey(devnet.connection.identities.super_admin.keyPem),
    );
    const transaction = client.gateway.newSignedTransaction(unsigned.getBytes(), forged);
    const status = await (await transaction.submit()).getStatus();
    expect(status).toMatchObject({ successful: false, code: StatusCode.BAD_CREATOR_SIGNATURE });
    await expect(kv.evaluateTransaction('get', k)).rejects.toThrow('does not exist');
  });

  it('a transaction whose endorsed writes were altered after endorsement is an ENDORSEMENT_POLICY_FAILURE', async () => {
    const k = key('tampered');
    const unsigned = await kv.newProposal('put', { arguments: [k, 'honest'] }).endorse();
    const status = await (
      await client.gateway.newTransaction(tamper(unsigned.getBytes(), k, 'forged')).submit()
    ).getStatus();
    expect(status).toMatchObject({ successful: false, code: StatusCode.ENDORSEMENT_POLICY_FAILURE });
    await expect(kv.evaluateTransaction('get', k)).rejects.toThrow('does not exist');
  });

  it('a range read that gained a key before commit is a PHANTOM_READ_CONFLICT', async () => {
    const prefix = key('phantom');
    await kv.submitTransaction('put', `${prefix}/a`, 'a');
    // `list` reads the range then the transaction is held; another key appears in the range first.
    const listing = await kv.newProposal('list', { arguments: [`${prefix}/`, `${prefix}/~`] }).endorse();
    await kv.submitTransaction('put', `${prefix}/b`, 'b');
    const status = await (await listing.submit()).getStatus();
    expect(status.code).toBe(StatusCode.PHANTOM_READ_CONFLICT);
  });
});

describe.skipIf(externalLedger)(`connection settings ${DEVNET_SUITE}`, () => {
  it('env() is a configuration src/config.ts accepts, pointing at this devnet', async () => {
    const { loadConfig } = await import('../config.js');
    const config = loadConfig(devnet.env());
    expect(config.fabric).toMatchObject({
      peerEndpoint: devnet.connection.peerEndpoint,
      tls: true,
      tlsCa: devnet.connection.tlsCaPem?.trim(),
      mspId: 'GxMSP',
      channel: 'gxchannel',
      chaincode: 'kv',
    });
  });
});
