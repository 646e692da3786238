/**
 * Chaincode events through the real client: order and block numbers, one event per transaction (the last),
 * none for invalid transactions, start positions, and checkpointed resume in the middle of a block.
 */
import { type ChaincodeEvent, type Contract, checkpointers, type Network } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
let client: TestGateway;
let network: Network;
let kv: Contract;

beforeAll(async () => {
  // Blocks wait up to 300 ms to fill, so transactions submitted together share a block.
  devnet = await startTestDevnet({ chaincodes: [{ name: 'kv', module: KV_CHAINCODE }], blockTimeoutMs: 300 });
  client = connectTestGateway(devnet.connection);
  network = client.gateway.getNetwork('gxchannel');
  kv = network.getContract('kv');
});

afterAll(async () => {
  client?.close();
  await devnet?.stop();
});

/** Submits the transactions together (one block) and returns their statuses in submission order. */
async function submitTogether(args: string[][]) {
  const transactions = await Promise.all(
    args.map(([name, ...rest]) => kv.newProposal(name as string, { arguments: rest }).endorse()),
  );
  const commits = await Promise.all(transactions.map((t) => t.submit()));
  return Promise.all(commits.map((c) => c.getStatus()));
}

/** Reads `count` events from the iterator (or fails on timeout), then closes it. */
async function take(
  events: AsyncIterable<ChaincodeEvent> & { close(): void },
  count: number,
): Promise<ChaincodeEvent[]> {
  const received: ChaincodeEvent[] = [];
  if (count === 0) {
    events.close();
    return received;
  }
  for await (const event of events) {
    received.push(event);
    if (received.length === count) break;
  }
  events.close();
  return received;
}

it.skipIf(externalLedger)(
  `streams events of valid transactions in block order with their block numbers; the last setEvent wins ${DEVNET_SUITE}`,
  async () => {
    const start = devnet.height();
    const events = await network.getChaincodeEvents('kv', { startBlock: start });
    const k = `events-${Date.now()}`;
    const statuses = await submitTogether([
      ['put', `${k}-a`, 'A'],
      ['put', `${k}-b`, 'B'],
      ['increment', `${k}-c`],
      ['increment', `${k}-c`], // conflicts with the one before: no event
    ]);
    expect(statuses.map((s) => s.code)).toEqual([0, 0, 0, 11]);
    expect(new Set(statuses.map((s) => s.blockNumber)).size).toBe(1);
    const received = await take(events, 3);
    expect(received.map((e) => [e.eventName, e.blockNumber, e.chaincodeName])).toEqual([
      ['Put', statuses[0]?.blockNumber, 'kv'],
      ['Put', statuses[1]?.blockNumber, 'kv'],
      ['Incremented', statuses[2]?.blockNumber, 'kv'],
    ]);
    expect(received.map((e) => e.transactionId)).toEqual(statuses.slice(0, 3).map((s) => s.transactionId));
    expect(JSON.parse(text(received[0]?.payload ?? new Uint8Array()))).toEqual({ key: `${k}-a`, value: 'A' });
  },
);

it.skipIf(externalLedger)(
  `without a start block, delivers only what commits after the request (next commit) ${DEVNET_SUITE}`,
  async () => {
    await kv.submitTransaction('put', 'before-stream', 'x');
    const events = await network.getChaincodeEvents('kv');
    // The stream is open once the request is sent; give the server a block boundary to prove the cut.
    const status = await (
      await (await kv.newProposal('put', { arguments: ['after-stream', 'y'] }).endorse()).submit()
    ).getStatus();
    const [event] = await take(events, 1);
    expect(event?.transactionId).toBe(status.transactionId);
  },
);

it.skipIf(externalLedger)(
  `replays from block 0 of the ledger when asked (oldest), every event exactly once ${DEVNET_SUITE}`,
  async () => {
    // The two tests before committed five events with an event: Put, Put, Incremented, then Put, Put.
    const all = await take(await network.getChaincodeEvents('kv', { startBlock: 0n }), 5);
    expect(all.map((e) => e.eventName)).toEqual(['Put', 'Put', 'Incremented', 'Put', 'Put']);
    const ids = all.map((e) => e.transactionId);
    expect(new Set(ids).size).toBe(ids.length);
    const blocks = all.map((e) => e.blockNumber);
    expect([...blocks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(blocks);
  },
);

it.skipIf(externalLedger)(
  `resumes from a mid-block checkpoint after a disconnect with no event missed or repeated ${DEVNET_SUITE}`,
  async () => {
    const start = devnet.height();
    const k = `resume-${Date.now()}`;
    const statuses = await submitTogether([1, 2, 3, 4].map((i) => ['put', `${k}-${i}`, String(i)]));
    expect(new Set(statuses.map((s) => s.blockNumber)).size).toBe(1);
    const expected = (await take(await network.getChaincodeEvents('kv', { startBlock: start }), 4)).map(
      (e) => e.transactionId,
    );

    const checkpointer = checkpointers.inMemory();
    const seen: string[] = [];
    for (let session = 0; session < 4; session++) {
      // Each session takes one event, checkpoints it and disconnects (a closed stream, a fresh client).
      const reconnected = connectTestGateway(devnet.connection);
      try {
        const events = await reconnected.gateway
          .getNetwork('gxchannel')
          .getChaincodeEvents('kv', { checkpoint: checkpointer, startBlock: start });
        const [event] = await take(events, 1);
        if (!event) throw new Error('stream ended');
        seen.push(event.transactionId);
        await checkpointer.checkpointChaincodeEvent(event);
      } finally {
        reconnected.close();
      }
    }
    expect(seen).toEqual(expected);
    expect(checkpointer.getBlockNumber()).toBe(statuses[0]?.blockNumber);
  },
);
