/**
 * Once per run, before any test file:
 * - one PostgreSQL server: the one DATABASE_URL names, or else an embedded server started here on a free port
 *   in a temporary folder (so `npm test` needs nothing set up by hand). Each test file then creates its own
 *   database on it (see ./database.ts).
 * - with `GX_TEST_LEDGER=external`, the external ledger checked and bootstrapped (see ./external-ledger.ts).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { prepareExternalLedger } from './external-ledger.js';
import { externalLedger } from './ledger.js';
import { freePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the server on which test databases are created. */
    serverUrl: string;
    /** The external ledger's measured time from submit to commit of one transaction (0 on devnets). */
    ledgerBlockIntervalMs: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Waits for N sequential commits scale with this (test/support/ledger-timing.ts); devnets cut blocks at once.
  const blockIntervalMs = externalLedger ? await prepareExternalLedger() : 0;
  project.provide('ledgerBlockIntervalMs', blockIntervalMs);
  if (externalLedger) console.info(`external ledger: ${blockIntervalMs} ms from submit to commit`);
  const configured = process.env.DATABASE_URL;
  if (configured) {
    project.provide('serverUrl', configured);
    return async () => {};
  }
  const folder = await mkdtemp(path.join(tmpdir(), 'gx-test-pg-'));
  // As root, the server runs as the `postgres` system user, which must be able to enter the folder.
  await chmod(folder, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(folder, 'data'),
    port: await freePort(),
    durable: false,
  });
  project.provide('serverUrl', server.connectionString);
  return async () => {
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  };
}
