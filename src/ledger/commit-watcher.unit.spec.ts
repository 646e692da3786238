/**
 * The commit watcher's bookkeeping over a scripted block stream: when it vouches for a transaction, how it
 * resumes after a break, and when it hands transactions to CommitStatus. (Through the real client and devnet:
 * src/submitter/commit-stream.int.spec.ts.)
 */
import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { CommitWatcher } from './commit-watcher.js';

type FilteredBlock = InstanceType<typeof peer.FilteredBlock>;

function block(number: number, transactions: Array<[string, number]> = []): FilteredBlock {
  const filtered = new peer.FilteredBlock();
  filtered.setNumber(number);
  filtered.setFilteredTransactionsList(
    transactions.map(([txId, code]) => {
      const tx = new peer.FilteredTransaction();
      tx.setTxid(txId);
      tx.setTxValidationCode(code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
      return tx;
    }),
  );
  return filtered;
}

/** A stream the test feeds block by block, or breaks. */
class ScriptedStream implements CloseableAsyncIterable<FilteredBlock> {
  readonly #queue: Array<FilteredBlock | Error> = [];
  #wake: (() => void) | undefined;
  closed = false;

  push(item: FilteredBlock | Error): void {
    this.#queue.push(item);
    this.#wake?.();
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FilteredBlock> {
    for (;;) {
      const item = this.#queue.shift();
      if (item instanceof Error) throw item;
      if (item) {
        yield item;
        continue;
      }
      if (this.closed) throw new Error('cancelled');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}

const logger = createLogger({ level: 'silent', role: 'test' });
const watchers: CommitWatcher[] = [];
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A watcher whose every open() is recorded with its start block and served by a fresh scripted stream. */
function scripted(options: { fallbackAfterMs?: number; degradedAfterMs?: number; refuse?: () => boolean } = {}) {
  const opened: Array<{ startBlock: bigint | undefined; stream: ScriptedStream }> = [];
  const watcher = new CommitWatcher({
    open: async (startBlock) => {
      if (options.refuse?.()) throw new Error('Unexpected status response: 403');
      const stream = new ScriptedStream();
      opened.push({ startBlock, stream });
      return stream;
    },
    onFailure: () => {},
    logger,
    client: 'unit',
    fallbackAfterMs: options.fallbackAfterMs ?? 60_000,
    degradedAfterMs: options.degradedAfterMs ?? 5_000,
    reconnect: { initialMs: 5, maxMs: 10 },
  });
  watchers.push(watcher);
  const current = () => opened[opened.length - 1] as { startBlock: bigint | undefined; stream: ScriptedStream };
  /** Opens the stream (a first watch) and lets it deliver block `number`: from then on new watches are vouched for. */
  const position = async (number: number) => {
    watcher.watch('x');
    await tick();
    current().stream.push(block(number));
    await tick();
  };
  return { watcher, opened, current, position };
}

afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
});

describe('CommitWatcher', () => {
  it('vouches only once the stream is positioned, then resolves each watch from its block', async () => {
    const { watcher, opened, current } = scripted();
    // The first watch starts the stream (at the next commit) but cannot be vouched for yet.
    expect(watcher.watch('early')).toBeUndefined();
    await tick();
    expect(opened.map((o) => o.startBlock)).toEqual([undefined]);
    current().stream.push(block(7, [['early', 0]]));
    await tick();
    const a = watcher.watch('a');
    const b = watcher.watch('b');
    expect(a && b).toBeDefined();
    current().stream.push(
      block(8, [
        ['a', 0],
        ['other', 0],
        ['b', 11],
      ]),
    );
    expect(await a?.seen).toEqual({ blockNumber: 8n, code: 0 });
    expect(await b?.seen).toEqual({ blockNumber: 8n, code: 11 });
    expect(watcher.waiting).toBe(0);
  });

  it('hands a DUPLICATE_TXID (a resubmission) to CommitStatus', async () => {
    const { watcher, current, position } = scripted();
    await position(1);
    const watch = watcher.watch('dup');
    current().stream.push(block(2, [['dup', peer.TxValidationCode.DUPLICATE_TXID]]));
    expect(await watch?.seen).toBeUndefined();
  });

  it('reopens a broken stream from the block after the last one processed, so a block missed meanwhile is seen', async () => {
    const { watcher, opened, current, position } = scripted();
    await position(4);
    const watch = watcher.watch('late');
    current().stream.push(new Error('14 UNAVAILABLE: Connection dropped'));
    await tick(30);
    expect(opened.map((o) => o.startBlock)).toEqual([undefined, 5n]);
    // A broken stream still vouches (it resumes exactly where it stopped).
    expect(watcher.watch('meanwhile')).toBeDefined();
    current().stream.push(block(5, [['late', 0]]));
    expect(await watch?.seen).toEqual({ blockNumber: 5n, code: 0 });
  });

  it('hands every watch to CommitStatus once the stream stays broken, and takes new ones only when it is back', async () => {
    let refuse = false;
    const { watcher, current, position } = scripted({ degradedAfterMs: 50, refuse: () => refuse });
    await position(1);
    const watch = watcher.watch('stuck');
    refuse = true;
    current().stream.push(new Error('14 UNAVAILABLE'));
    expect(await watch?.seen).toBeUndefined();
    expect(watcher.watch('while-down')).toBeUndefined();
    refuse = false;
    await tick(30);
    current().stream.push(block(2));
    await tick();
    expect(watcher.watch('after')).toBeDefined();
  });

  it('hands a watch not seen within the fallback delay to CommitStatus', async () => {
    const { watcher, position } = scripted({ fallbackAfterMs: 10 });
    await position(1);
    const watch = watcher.watch('never');
    expect(await watch?.seen).toBeUndefined();
  });

  it('resolves every watch when closed, and a cancelled watch at once', async () => {
    const { watcher, current, position } = scripted();
    await position(1);
    const cancelled = watcher.watch('cancelled');
    cancelled?.cancel();
    expect(await cancelled?.seen).toBeUndefined();
    const open = watcher.watch('open');
    watcher.close();
    expect(await open?.seen).toBeUndefined();
    expect(current().stream.closed).toBe(true);
  });
});
