/**
 * What every benchmark scenario reports, and how `npm run bench` prints and saves it.
 * Scenarios measure; they never assert. Each result carries its goal so a reader sees the gap.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
}

export interface BenchResult extends Partial<LatencySummary> {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The goal from the issues, as text (e.g. "≥ 3000 tx/s"). */
  goal?: string;
  settings?: Record<string, string | number | boolean>;
}

export interface BenchOptions {
  /** Smoke run: fewer operations, same scenarios. */
  quick: boolean;
  /** PostgreSQL server on which scenario databases are created. */
  serverUrl: string;
}

/** Nearest-rank percentiles of a list of latencies (ms). */
export function percentiles(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)) };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function machineInfo(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function formatTable(results: readonly BenchResult[]): string {
  const header = ['scenario', 'metric', 'value', 'unit', 'p50', 'p95', 'p99', 'goal'];
  const rows = results.map((r) => [
    r.scenario,
    r.metric,
    String(r.value),
    r.unit,
    r.p50 === undefined ? '' : String(r.p50),
    r.p95 === undefined ? '' : String(r.p95),
    r.p99 === undefined ? '' : String(r.p99),
    r.goal ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function writeResults(
  file: string,
  results: readonly BenchResult[],
  options: BenchOptions,
): Promise<void> {
  const document = { machine: machineInfo(), quick: options.quick, at: new Date().toISOString(), results };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
}
