/**
 * The committed world state held in memory (loaded from the store at start): per chaincode namespace, key →
 * value and version. Versions are (block number, transaction number), as Fabric's LevelDB state records.
 *
 * Holding it in memory keeps simulation synchronous and fast; the store remains the durable copy, written
 * (with the block) before any change here becomes visible.
 */

/** Height of the transaction that last wrote a key. */
export interface Version {
  block: number;
  tx: number;
}

/** A committed value and its version. */
export interface StateEntry {
  value: Uint8Array;
  version: Version;
}

/** Orders strings by code point, i.e. as their UTF-8 bytes order (LevelDB's order, and so Fabric's). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate === ySurrogate) return x - y;
    return xSurrogate ? 1 : -1;
  }
  return a.length - b.length;
}

/** Whether `key` lies in [start, end); an empty bound is unbounded, as in `getStateByRange`. */
export function inRange(key: string, start: string, end: string): boolean {
  return (start === '' || compareKeys(key, start) >= 0) && (end === '' || compareKeys(key, end) < 0);
}

export function sameVersion(a: Version | undefined, b: Version | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.block === b.block && a.tx === b.tx;
}

/**
 * A value as the state keeps it: in a buffer of its own. A view into a larger buffer (a value made by
 * Buffer.from is a slice of Node's shared 8 KiB pool; one decoded from a message is a slice of that message)
 * keeps the whole buffer alive for as long as the key lives: ~8 KiB per key written, which after a burst of
 * 24k transfers held ~200 MB of external memory in `gx dev`.
 */
function owned(value: Uint8Array): Uint8Array {
  return value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : new Uint8Array(value);
}

class Namespace {
  readonly entries = new Map<string, StateEntry>();
  #sortedKeys: string[] | undefined;

  sortedKeys(): string[] {
    this.#sortedKeys ??= [...this.entries.keys()].sort(compareKeys);
    return this.#sortedKeys;
  }

  set(key: string, entry: StateEntry | undefined): void {
    const existed = this.entries.has(key);
    if (entry) this.entries.set(key, { value: owned(entry.value), version: entry.version });
    else this.entries.delete(key);
    if (existed !== (entry !== undefined)) this.#sortedKeys = undefined;
  }
}

/** World state of all chaincodes of the channel. */
export class WorldState {
  readonly #namespaces = new Map<string, Namespace>();

  get(namespace: string, key: string): StateEntry | undefined {
    return this.#namespaces.get(namespace)?.entries.get(key);
  }

  /** Keys in [start, end) in key order, with their entries. */
  range(namespace: string, start: string, end: string): Array<[string, StateEntry]> {
    const ns = this.#namespaces.get(namespace);
    if (!ns) return [];
    const keys = ns.sortedKeys();
    let low = 0;
    if (start !== '') {
      let high = keys.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (compareKeys(keys[mid] as string, start) < 0) low = mid + 1;
        else high = mid;
      }
    }
    const result: Array<[string, StateEntry]> = [];
    for (let i = low; i < keys.length; i++) {
      const key = keys[i] as string;
      if (end !== '' && compareKeys(key, end) >= 0) break;
      result.push([key, ns.entries.get(key) as StateEntry]);
    }
    return result;
  }

  /** Sets (or with `undefined`, deletes) a key. */
  set(namespace: string, key: string, entry: StateEntry | undefined): void {
    let ns = this.#namespaces.get(namespace);
    if (!ns) {
      ns = new Namespace();
      this.#namespaces.set(namespace, ns);
    }
    ns.set(key, entry);
  }
}
