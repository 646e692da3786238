/**
 * The ledger side of the projector's devnet benchmark, in a worker thread so that devnet and the client
 * (three signatures per transaction) do not share the projector's event loop, as in production.
 *
 * Protocol (messages to the parent): `{type: 'filled', env, lastBlock, events, fillSeconds}` once the
 * history is on the ledger; after the parent sends `'live'`, `{type: 'committed', block, at}` per live
 * transfer (at = epoch ms from commit status) and `{type: 'done'}`; on `'close'` it stops devnet and exits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import { startDevnet } from '../src/devnet/index.js';
import { createLedgerClient } from '../src/ledger/index.js';
import { createLogger } from '../src/observability/logger.js';
import { LedgerScenario, type ScenarioUser } from '../test/support/ledger-scenario.js';

/** What the parent passes as `workerData`. */
export interface LedgerWorkerData {
  transfers: number;
  inFlight: number;
  liveTransfers: number;
  liveInFlight: number;
}

function nextMessage(): Promise<unknown> {
  return new Promise((resolve) => parentPort?.once('message', resolve));
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('projector-ledger-worker runs as a worker thread');
  const data = workerData as LedgerWorkerData;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-projector-'));
  // Blocks are cut after 50 ms, so the fill's 32 writers make blocks of tens of transactions, as a busy
  // channel does (block-per-transaction streams would measure the stream's per-block cost instead).
  const devnet = await startDevnet({ dataDir, port: 0, tls: true, blockTimeoutMs: 50 });
  const ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, {
    logger: createLogger({ level: 'silent', role: 'bench' }),
  });
  try {
    const scenario = new LedgerScenario(ledger);
    await scenario.bootstrap();
    // Each writer moves tokens between its own two users (concurrent transfers of one account would fail
    // MVCC validation, as on Fabric); registrations of one country share its genesis counter, so they go one
    // by one (each pays its user's genesis).
    const pairs: Array<readonly [ScenarioUser, ScenarioUser]> = [];
    for (let w = 0; w < Math.max(data.inFlight, data.liveInFlight); w += 1) {
      pairs.push([await scenario.createUser(), await scenario.createUser()] as const);
    }
    const transferLoad = async (count: number, writers: number, onCommit?: (block: bigint) => void) => {
      let next = 0;
      await Promise.all(
        pairs.slice(0, writers).map(async ([a, b]) => {
          while (next < count) {
            const i = next++;
            // Amount 1 with a 1% fee rounds the fee to 0 (a fee would go to the sender's own shard anyway).
            const outcome = await (i % 2 === 0 ? scenario.transfer(a, b, '1') : scenario.transfer(b, a, '1'));
            onCommit?.(outcome.blockNumber);
          }
        }),
      );
    };
    const fillStarted = performance.now();
    await transferLoad(data.transfers, data.inFlight);
    port.postMessage({
      type: 'filled',
      env: devnet.env(),
      lastBlock: String(devnet.height() - 1n),
      events: 1 + pairs.length * 4 + data.transfers,
      fillSeconds: (performance.now() - fillStarted) / 1000,
    });
    if ((await nextMessage()) === 'live') {
      await transferLoad(data.liveTransfers, data.liveInFlight, (block) =>
        port.postMessage({ type: 'committed', block: String(block), at: performance.timeOrigin + performance.now() }),
      );
      port.postMessage({ type: 'done' });
      await nextMessage();
    }
  } finally {
    await ledger.close();
    await devnet.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    parentPort?.postMessage({ type: 'error', message: String(error) });
    process.exit(1);
  },
);
