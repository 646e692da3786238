/**
 * `npm run bench [-- --quick] [-- --only <scenario>]`: measures the system against the goals of its issues
 * on this machine, with real components (PostgreSQL, devnet over gRPC with the real Fabric Gateway client,
 * `gx` roles as processes, HTTP with autocannon). Prints a table and writes bench/results.json.
 *
 * PostgreSQL: DATABASE_URL's server if set, else an embedded server for the run. Scenarios never assert;
 * each states its goal beside the measured value.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { freePort } from '../test/support/ports.js';
import { devnetScenarios } from './devnet.js';
import { benchFeeTransfers } from './fee-transfers.js';
import { type BenchOptions, type BenchResult, formatTable, machineInfo, round, writeResults } from './harness.js';
import { runHttpBench } from './http.js';
import { benchMemory } from './memory.js';
import { organizationScenarios } from './organizations.js';
import { benchProjector, benchProjectorOnDevnet } from './projector.js';
import { protocolFloorScenarios } from './protocol-floor.js';
import { benchRegistrations } from './registrations.js';
import { submitterScenarios } from './submitter.js';
import { benchTimeToQueryable } from './time-to-queryable.js';

type Scenario = (options: BenchOptions) => Promise<BenchResult[]>;

const scenarios: Record<string, Scenario> = {
  protocol: (options) => protocolFloorScenarios(options),
  devnet: (options) => devnetScenarios(options),
  organizations: (options) => organizationScenarios(options),
  submitter: (options) => submitterScenarios(options),
  async projector(options) {
    return [
      ...(await benchProjector({ serverUrl: options.serverUrl, quick: options.quick })),
      ...(await benchProjectorOnDevnet({ serverUrl: options.serverUrl, quick: options.quick })),
    ];
  },
  'time-to-queryable': (options) => benchTimeToQueryable(options),
  memory: (options) => benchMemory(options),
  'fee-transfers': (options) => benchFeeTransfers(options),
  registrations: (options) => benchRegistrations(options),
  // The tuned figure (the API's own cost) beside what production defaults give (sampled logs, rate limits).
  async http(options) {
    const durationSeconds = options.quick ? 3 : 10;
    return [
      ...(await runHttpBench({ serverUrl: options.serverUrl, durationSeconds, profile: 'tuned' })),
      ...(await runHttpBench({ serverUrl: options.serverUrl, durationSeconds, profile: 'production' })),
    ];
  },
};

async function withServer<T>(work: (serverUrl: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return work(process.env.DATABASE_URL);
  const folder = await mkdtemp(path.join(tmpdir(), 'gx-bench-pg-'));
  await chmod(folder, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(folder, 'data'), port: await freePort() });
  try {
    return await work(server.connectionString);
  } finally {
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
  });
  const selected = values.only ?? Object.keys(scenarios);
  const unknown = selected.filter((name) => !(name in scenarios));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  }
  const quick = values.quick ?? false;
  process.stdout.write(`Machine: ${JSON.stringify(machineInfo())}\nMode: ${quick ? 'quick (smoke)' : 'full'}\n\n`);
  const results = await withServer(async (serverUrl) => {
    const options: BenchOptions = { quick, serverUrl };
    const all: BenchResult[] = [];
    for (const name of selected) {
      const started = performance.now();
      process.stdout.write(`running ${name} …\n`);
      const measured = await (scenarios[name] as Scenario)(options);
      process.stdout.write(`${formatTable(measured)}\n(${round((performance.now() - started) / 1000, 1)} s)\n\n`);
      all.push(...measured);
    }
    return all;
  });
  const file = path.resolve(import.meta.dirname, '../../bench/results.json');
  await writeResults(file, results, { quick, serverUrl: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded' });
  process.stdout.write(`All scenarios:\n${formatTable(results)}\n\nJSON: ${file}\n${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
