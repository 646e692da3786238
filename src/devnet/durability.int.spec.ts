/**
 * Durability: state, blocks, events, transaction statuses and identities survive a clean restart, and a
 * `gx devnet` process killed with SIGKILL in the middle of committing restarts at its last complete block with
 * state and events agreeing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChaincodeEvent, StatusCode } from '@hyperledger/fabric-gateway';
import { afterEach, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startCliDevnet, startTestDevnet } from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';
import { freePort } from '../../test/support/ports.js';
import type { DevnetConnection } from './index.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'gx-devnet-durability-'));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

async function readEvents(connection: DevnetConnection, count: number): Promise<ChaincodeEvent[]> {
  const client = connectTestGateway(connection);
  try {
    const events = await client.gateway.getNetwork('gxchannel').getChaincodeEvents('kv', { startBlock: 0n });
    const received: ChaincodeEvent[] = [];
    if (count > 0) {
      for await (const event of events) {
        received.push(event);
        if (received.length === count) break;
      }
    }
    events.close();
    return received;
  } finally {
    client.close();
  }
}

it.skipIf(externalLedger)(
  `keeps state, blocks, events, commit statuses and identities across a restart ${DEVNET_SUITE}`,
  async () => {
    const dataDir = await temporaryFolder();
    const options = { dataDir, chaincodes: [{ name: 'kv', module: KV_CHAINCODE }] };
    const first = await startTestDevnet(options);
    const client = connectTestGateway(first.connection);
    const kv = client.gateway.getNetwork('gxchannel').getContract('kv');
    await kv.submitTransaction('put', 'colour', 'blue');
    await kv.submitTransaction('increment', 'count');
    const commit = await (await kv.newProposal('increment', { arguments: ['count'] }).endorse()).submit();
    const status = await commit.getStatus();
    // Endorsed before the restart, submitted after it: the saved bytes must still validate.
    const endorsedBefore = await kv.newProposal('put', { arguments: ['late', 'submitted after restart'] }).endorse();
    const height = first.height();
    const events = await readEvents(first.connection, 3);
    client.close();
    await first.stop();

    const second = await startTestDevnet(options);
    cleanups.push(() => second.stop());
    expect(second.height()).toBe(height);
    expect(second.connection.identities.registrar).toEqual(first.connection.identities.registrar);
    expect(second.connection.tlsCaPem).toBe(first.connection.tlsCaPem);
    const again = connectTestGateway(second.connection);
    cleanups.push(async () => again.close());
    const kvAgain = again.gateway.getNetwork('gxchannel').getContract('kv');
    expect(text(await kvAgain.evaluateTransaction('get', 'colour'))).toBe('blue');
    expect(text(await kvAgain.evaluateTransaction('get', 'count'))).toBe('2');
    // Commit status of a transaction committed before the restart, asked from its saved bytes.
    expect(await again.gateway.newCommit(commit.getBytes()).getStatus()).toEqual(status);
    expect(await readEvents(second.connection, 3)).toEqual(events);
    // Versions carried over: a read-modify-write after the restart commits, and blocks continue the numbering.
    const next = await (await kvAgain.newProposal('increment', { arguments: ['count'] }).endorse()).submit();
    expect(await next.getStatus()).toMatchObject({ code: StatusCode.VALID, blockNumber: height });
    const late = await again.gateway.newTransaction(endorsedBefore.getBytes()).submit();
    expect(await late.getStatus()).toMatchObject({ code: StatusCode.VALID });
    expect(text(await kvAgain.evaluateTransaction('get', 'late'))).toBe('submitted after restart');
  },
);

it.skipIf(externalLedger)(
  `restarts at the last complete block after kill -9 of \`gx devnet\`, state agreeing with the events ${DEVNET_SUITE}`,
  async () => {
    const dataDir = await temporaryFolder();
    const port = await freePort();
    const args = ['--port', String(port), '--chaincode', `kv=${KV_CHAINCODE}`];
    const first = await startCliDevnet(dataDir, args);
    const { child, connection } = first;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    expect(connection.peerEndpoint).toBe(`127.0.0.1:${port}`);
    const client = connectTestGateway(connection);
    const kv = client.gateway.getNetwork('gxchannel').getContract('kv');

    // Keep 32 increments of distinct counters in flight and kill the process while they commit.
    let valid = 0;
    let stop = false;
    const workers = Array.from({ length: 32 }, async (_, worker) => {
      while (!stop) {
        try {
          await kv.submitTransaction('increment', `counter-${worker}`);
          valid++;
        } catch {
          return;
        }
      }
    });
    await expect.poll(() => valid, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(100);
    child.kill('SIGKILL');
    await exited;
    stop = true;
    await Promise.all(workers);
    client.close();

    const restarted = await startCliDevnet(dataDir, args);
    cleanups.push(() => restarted.stop());
    const again = connectTestGateway(connection);
    cleanups.push(async () => again.close());
    const kvAgain = again.gateway.getNetwork('gxchannel').getContract('kv');
    // Every counter's value equals the number of its increments the ledger recorded as events, and every
    // increment a client saw committed is there.
    let total = 0;
    for (let worker = 0; worker < 32; worker++) {
      const value = await kvAgain.evaluateTransaction('get', `counter-${worker}`).then(
        (bytes) => Number(text(bytes)),
        () => 0,
      );
      total += value;
    }
    expect(total).toBeGreaterThanOrEqual(valid);
    const events = await readEvents(connection, total);
    const last = new Map<string, number>();
    for (const event of events) {
      const { key, value } = JSON.parse(text(event.payload)) as { key: string; value: number };
      expect(value).toBe((last.get(key) ?? 0) + 1);
      last.set(key, value);
    }
    for (let worker = 0; worker < 32; worker++) {
      const value = await kvAgain.evaluateTransaction('get', `counter-${worker}`).then(
        (bytes) => Number(text(bytes)),
        () => 0,
      );
      expect(last.get(`counter-${worker}`) ?? 0).toBe(value);
    }
    // And it keeps going.
    expect(text(await kvAgain.submitTransaction('increment', 'after-crash'))).toBe('1');
  },
  120_000,
);
