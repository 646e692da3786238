/** A devnet for one test file: temporary data folder, random port, removed on stop. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Devnet, type DevnetOptions, startDevnet } from '../../src/devnet/index.js';

/** A devnet in a fresh temporary folder on a random port; `stop()` closes it and deletes the folder. */
export async function startTestDevnet(
  options: Partial<DevnetOptions> = {},
): Promise<Devnet & { stop(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'gx-test-devnet-')));
  const devnet = await startDevnet({ port: 0, tls: true, blockTimeoutMs: 5, ...options, dataDir });
  return Object.assign(devnet, {
    async stop(): Promise<void> {
      await devnet.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  });
}
