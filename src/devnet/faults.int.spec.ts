/**
 * Each fault mode, observed through the real client: dropped streams and connections, refused connections,
 * delayed and failing endorsements, forced MVCC conflicts, the gateway concurrency limit, and clear().
 */
import {
  type ChaincodeEvent,
  CommitError,
  type Contract,
  checkpointers,
  EndorseError,
  GatewayError,
  StatusCode,
} from '@hyperledger/fabric-gateway';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
let client: TestGateway;
let kv: Contract;

beforeAll(async () => {
  devnet = await startTestDevnet({ chaincodes: [{ name: 'kv', module: KV_CHAINCODE }], concurrencyLimit: 4 });
  client = connectTestGateway(devnet.connection);
  kv = client.gateway.getNetwork('gxchannel').getContract('kv');
});
afterEach(() => devnet.faults.clear());
afterAll(async () => {
  client?.close();
  await devnet?.stop();
});

async function nextEvent(iterator: AsyncIterator<ChaincodeEvent>): Promise<ChaincodeEvent> {
  const { value, done } = await iterator.next();
  if (done) throw new Error('stream ended');
  return value;
}

describe.skipIf(externalLedger)(`gateway concurrency limit ${DEVNET_SUITE}`, () => {
  // First in the file: later tests leave endorsements sleeping on the server after their client gave up.
  it('beyond the limit, requests fail at once with UNKNOWN and the peer message', async () => {
    devnet.faults.delayEndorsement(500);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => kv.evaluateTransaction('put', `limit-${i}`, 'x')),
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    expect(rejected).toHaveLength(4);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe(2);
      expect((error as GatewayError).message).toBe(
        '2 UNKNOWN: too many requests for /gateway.Gateway, exceeding concurrency limit (4)',
      );
    }
  });
});

describe.skipIf(externalLedger)(`dropStreams ${DEVNET_SUITE}`, () => {
  it('ends open event streams with UNAVAILABLE; the client reconnects and resumes from its checkpoint', async () => {
    const start = devnet.height();
    await kv.submitTransaction('put', 'drop-1', '1');
    const checkpointer = checkpointers.inMemory();
    const network = client.gateway.getNetwork('gxchannel');
    const events = await network.getChaincodeEvents('kv', { checkpoint: checkpointer, startBlock: start });
    const iterator = events[Symbol.asyncIterator]();
    const first = await nextEvent(iterator);
    await checkpointer.checkpointChaincodeEvent(first);

    devnet.faults.dropStreams();
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(14);
    events.close();

    // Unary calls work again over a new connection, and the stream resumes exactly after the checkpoint.
    await kv.submitTransaction('put', 'drop-2', '2');
    const resumed = await network.getChaincodeEvents('kv', { checkpoint: checkpointer, startBlock: start });
    const next = await nextEvent(resumed[Symbol.asyncIterator]());
    resumed.close();
    expect(JSON.parse(text(next.payload))).toEqual({ key: 'drop-2', value: '2' });
  });
});

describe.skipIf(externalLedger)(`refuseConnections ${DEVNET_SUITE}`, () => {
  it('refuses calls with UNAVAILABLE for the period, then serves again', async () => {
    const refusal = devnet.faults.refuseConnections(1_500);
    const error = await kv.evaluateTransaction('get', 'anything').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(14);
    await refusal;
    // The client backs off after refused connections (grpc-js reconnect backoff); wait until it is back.
    await new Promise<void>((resolve, reject) =>
      client.grpc.waitForReady(Date.now() + 15_000, (error) => (error ? reject(error) : resolve())),
    );
    await kv.submitTransaction('put', 'after-refusal', 'ok');
    expect(text(await kv.evaluateTransaction('get', 'after-refusal'))).toBe('ok');
  });
});

describe.skipIf(externalLedger)(`delayEndorsement ${DEVNET_SUITE}`, () => {
  it('holds endorsements, so a short client deadline expires (DEADLINE_EXCEEDED)', async () => {
    devnet.faults.delayEndorsement(2_000);
    const error = await kv
      .newProposal('put', { arguments: ['slow', 'x'] })
      .endorse({ deadline: Date.now() + 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndorseError);
    expect((error as EndorseError).code).toBe(4);
    devnet.faults.delayEndorsement(0);
    expect(text(await kv.submitTransaction('put', 'fast', 'y'))).toBe('y');
  });
});

describe.skipIf(externalLedger)(`failEndorsements ${DEVNET_SUITE}`, () => {
  it('fails the next n endorsements and evaluations with UNAVAILABLE, then recovers', async () => {
    devnet.faults.failEndorsements(2);
    const endorse = (await kv.submitTransaction('put', 'f', '1').catch((e: unknown) => e)) as EndorseError;
    expect(endorse).toBeInstanceOf(EndorseError);
    expect(endorse.code).toBe(14);
    const evaluate = (await kv.evaluateTransaction('get', 'f').catch((e: unknown) => e)) as GatewayError;
    expect(evaluate).toBeInstanceOf(GatewayError);
    expect(evaluate.code).toBe(14);
    expect(text(await kv.submitTransaction('put', 'f', '3'))).toBe('3');
  });
});

describe.skipIf(externalLedger)(`forceMvccConflicts ${DEVNET_SUITE}`, () => {
  it('marks the next n transactions MVCC_READ_CONFLICT, then commits normally', async () => {
    devnet.faults.forceMvccConflicts(2);
    for (let i = 0; i < 2; i++) {
      const error = (await kv
        .submitTransaction('blindPut', 'forced', String(i))
        .catch((e: unknown) => e)) as CommitError;
      expect(error).toBeInstanceOf(CommitError);
      expect(error.code).toBe(StatusCode.MVCC_READ_CONFLICT);
    }
    await kv.submitTransaction('blindPut', 'forced', 'ok');
    expect(text(await kv.evaluateTransaction('get', 'forced'))).toBe('ok');
  });
});

describe.skipIf(externalLedger)(`clear ${DEVNET_SUITE}`, () => {
  it('turns every fault off', async () => {
    devnet.faults.failEndorsements(5);
    devnet.faults.forceMvccConflicts(5);
    devnet.faults.delayEndorsement(60_000);
    devnet.faults.clear();
    expect(text(await kv.submitTransaction('put', 'cleared', 'yes'))).toBe('yes');
  });
});
