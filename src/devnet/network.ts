import type { Devnet, DevnetOptions } from './index.js';

/** Starts a devnet (being built: this placeholder rejects). */
export async function startDevnet(_options: DevnetOptions): Promise<Devnet> {
  throw new Error('devnet is being built');
}
