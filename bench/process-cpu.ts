/**
 * CPU time of other processes on this machine, for per-transaction accounting: the devnet child process and
 * the PostgreSQL backends serving a database. On two cores the ledger path's throughput is bounded by the CPU
 * every process spends per transaction, so the benches report each one's share.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/** utime + stime of `pid` in seconds (fields 14 and 15 of /proc/<pid>/stat); undefined off Linux or once gone. */
export async function processCpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // Clock ticks (USER_HZ, 100 on Linux); the command name in parentheses may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Follows the CPU time of every PostgreSQL backend connected to `database` (found in pg_stat_activity; the
 * server must run on this machine). Backends come and go with connection pools, so they are sampled
 * periodically; a backend that exits between two samples loses at most one interval of its time.
 */
export class BackendCpuMeter {
  readonly #pool: pg.Pool;
  readonly #database: string;
  /** pid → [CPU seconds when first seen (0 if it connected after start), CPU seconds when last seen]. */
  readonly #seen = new Map<number, [number, number]>();
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #available = true;

  constructor(pool: pg.Pool, database: string) {
    this.#pool = pool;
    this.#database = database;
  }

  /** Starts sampling every `intervalMs`; backends present now count from their current CPU time. */
  async start(intervalMs = 250): Promise<void> {
    await this.#sample();
    this.#started = true;
    this.#timer = setInterval(() => void this.#sample(), intervalMs);
  }

  /** Stops sampling and returns the CPU seconds all backends spent since start (undefined if unreadable). */
  async stop(): Promise<number | undefined> {
    clearInterval(this.#timer);
    await this.#sample();
    if (!this.#available) return undefined;
    let total = 0;
    for (const [first, last] of this.#seen.values()) total += last - first;
    return total;
  }

  async #sample(): Promise<void> {
    const result = await this.#pool
      .query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.#database])
      .catch(() => undefined);
    if (!result) return;
    let readable = 0;
    for (const { pid } of result.rows) {
      const cpu = await processCpuSeconds(pid);
      if (cpu === undefined) continue;
      readable += 1;
      const entry = this.#seen.get(pid);
      if (entry) entry[1] = cpu;
      else this.#seen.set(pid, [this.#started ? 0 : cpu, cpu]);
    }
    // The sampling connection's own backend is always listed: none readable means another machine.
    if (readable === 0) this.#available = false;
  }
}
