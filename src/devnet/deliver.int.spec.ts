/**
 * DeliverFiltered through the real client (`network.getFilteredBlockEvents`): every block in order with each
 * transaction's id and validation code (invalid ones included), start positions, resume from a block after a
 * broken stream, and the status answers a peer gives to refused requests.
 */
import { createPrivateKey } from 'node:crypto';
import {
  type Contract,
  connect,
  type Gateway,
  hash,
  type Network,
  StatusCode,
  signers,
} from '@hyperledger/fabric-gateway';
import type { peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';

type FilteredBlock = InstanceType<typeof peer.FilteredBlock>;
type Blocks = AsyncIterable<FilteredBlock> & { close(): void };

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

/** Reads blocks until `until` says enough (or the test times out), then closes the stream. */
async function read(blocks: Blocks, until: (received: FilteredBlock[]) => boolean): Promise<FilteredBlock[]> {
  const received: FilteredBlock[] = [];
  try {
    for await (const block of blocks) {
      received.push(block);
      if (until(received)) break;
    }
  } finally {
    blocks.close();
  }
  return received;
}

const transactionsOf = (blocks: FilteredBlock[]) =>
  blocks.flatMap((block) =>
    block.getFilteredTransactionsList().map((tx) => ({
      block: block.getNumber(),
      txId: tx.getTxid(),
      code: tx.getTxValidationCode(),
      event: tx.getTransactionActions()?.getChaincodeActionsList()[0]?.getChaincodeEvent()?.getEventName(),
    })),
  );

describe.skipIf(externalLedger)(`DeliverFiltered ${DEVNET_SUITE}`, () => {
  it('streams every block from the start block on, with transaction ids, validation codes and event names', async () => {
    const start = devnet.height();
    const blocks = await network.getFilteredBlockEvents({ startBlock: start });
    const k = `deliver-${Date.now()}`;
    const transactions = await Promise.all(
      [
        ['put', `${k}-a`, 'A'],
        ['increment', `${k}-c`],
        ['increment', `${k}-c`],
      ].map(([name, ...args]) => kv.newProposal(name as string, { arguments: args }).endorse()),
    );
    const commits = await Promise.all(transactions.map((t) => t.submit()));
    const statuses = await Promise.all(commits.map((c) => c.getStatus()));
    expect(statuses.map((s) => s.code)).toEqual([StatusCode.VALID, StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);
    const last = statuses[0]?.blockNumber ?? 0n;

    const received = await read(blocks, (r) => BigInt(r[r.length - 1]?.getNumber() ?? -1) >= last);
    // No gap, no repeat: consecutive numbers from the start block.
    expect(received.map((b) => BigInt(b.getNumber()))).toEqual(
      Array.from({ length: received.length }, (_, i) => start + BigInt(i)),
    );
    expect(received.every((b) => b.getChannelId() === 'gxchannel')).toBe(true);
    const mine = transactionsOf(received).filter((tx) => statuses.some((s) => s.transactionId === tx.txId));
    expect(mine).toEqual(
      statuses.map((s, i) => ({
        block: Number(s.blockNumber),
        txId: s.transactionId,
        code: s.code,
        // The MVCC-invalid one too: a peer lists an invalid transaction's actions and event name (docs/fabric.md, "How a Fabric 2.5 peer answers").
        event: i === 0 ? 'Put' : 'Incremented',
      })),
    );
  });

  it('starts at the next block to commit when no start block is given, and at a given block to resume', async () => {
    const height = devnet.height();
    const next = await network.getFilteredBlockEvents();
    // A block already committed is not sent again to a stream positioned at the next commit.
    const first = kv.submitTransaction('blindPut', `deliver-next-${Date.now()}`, 'x');
    const [block] = await read(next, (r) => r.length === 1);
    await first;
    expect(BigInt(block?.getNumber() ?? -1)).toBe(height);

    // Resuming from an earlier block replays it and what follows.
    const replay = await network.getFilteredBlockEvents({ startBlock: height - 1n });
    const replayed = await read(replay, (r) => r.length === 2);
    expect(replayed.map((b) => BigInt(b.getNumber()))).toEqual([height - 1n, height]);

    // The genesis block is block 0 and holds no transactions.
    const oldest = await network.getFilteredBlockEvents({ startBlock: 0n });
    const [genesis] = await read(oldest, (r) => r.length === 1);
    expect(genesis?.getNumber()).toBe(0);
    expect(genesis?.getFilteredTransactionsList()).toEqual([]);
  });

  it('shows a resubmitted transaction again in a later block as DUPLICATE_TXID', async () => {
    const transaction = await kv.newProposal('blindPut', { arguments: [`deliver-dup-${Date.now()}`, 'x'] }).endorse();
    const original = await (await transaction.submit()).getStatus();
    const blocks = await network.getFilteredBlockEvents({ startBlock: original.blockNumber });
    const again = await client.gateway.newTransaction(transaction.getBytes()).submit();
    // CommitStatus keeps answering with the first outcome.
    expect(await again.getStatus()).toMatchObject({ code: StatusCode.VALID, blockNumber: original.blockNumber });
    const received = await read(blocks, (r) =>
      transactionsOf(r).some((tx) => tx.txId === transaction.getTransactionId() && tx.code !== StatusCode.VALID),
    );
    expect(transactionsOf(received).filter((tx) => tx.txId === transaction.getTransactionId())).toEqual([
      {
        block: Number(original.blockNumber),
        txId: transaction.getTransactionId(),
        code: StatusCode.VALID,
        event: undefined,
      },
      expect.objectContaining({ code: StatusCode.DUPLICATE_TXID }),
    ]);
  });

  it('ends open streams with UNAVAILABLE when devnet drops them; a new stream resumes from the next block', async () => {
    const start = devnet.height();
    const blocks = await network.getFilteredBlockEvents({ startBlock: start - 1n });
    const iterator = blocks[Symbol.asyncIterator]();
    expect(BigInt((await iterator.next()).value?.getNumber() ?? -1)).toBe(start - 1n);
    devnet.faults.dropStreams();
    await expect(iterator.next()).rejects.toMatchObject({ code: 14 });
    blocks.close();

    const status = await kv.newProposal('blindPut', { arguments: [`deliver-drop-${Date.now()}`, 'x'] }).endorse();
    const committed = await (await status.submit()).getStatus();
    const resumed = await network.getFilteredBlockEvents({ startBlock: start });
    const received = await read(resumed, (r) => BigInt(r[r.length - 1]?.getNumber() ?? -1) >= committed.blockNumber);
    expect(BigInt(received[0]?.getNumber() ?? -1)).toBe(start);
    expect(transactionsOf(received).some((tx) => tx.txId === committed.transactionId)).toBe(true);
  });

  it('answers an unknown channel with status NOT_FOUND and a foreign signer with FORBIDDEN', async () => {
    const unknown = await client.gateway.getNetwork('nochannel').getFilteredBlockEvents({ startBlock: 0n });
    await expect(read(unknown, () => true)).rejects.toThrow('Unexpected status response: 404');

    // The client's certificate with a key that is not its own: the signature does not verify.
    const impostor = connectWithKey(devnet.connection.identities.super_admin.keyPem);
    try {
      const blocks = await impostor.getNetwork('gxchannel').getFilteredBlockEvents({ startBlock: 0n });
      await expect(read(blocks, () => true)).rejects.toThrow('Unexpected status response: 403');
    } finally {
      impostor.close();
    }
  });
});

/** A gateway presenting the client's certificate but signing with `keyPem`. */
function connectWithKey(keyPem: string): Gateway {
  return connect({
    client: client.grpc,
    identity: {
      mspId: devnet.connection.mspId,
      credentials: Buffer.from(devnet.connection.identities.registrar.certPem),
    },
    signer: signers.newPrivateKeySigner(createPrivateKey(keyPem)),
    hash: hash.sha256,
  });
}
