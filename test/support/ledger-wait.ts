/** {@link scaledWaitMs} with the run's measured block interval, for test files (see ./ledger-timing.ts). */
import { inject } from 'vitest';
import { scaledWaitMs } from './ledger-timing.js';

/** `baseMs` for `blocks` blocks at this run's measured interval (0 on devnets, where `baseMs` is enough). */
export function ledgerWaitMs(baseMs: number, blocks: number): number {
  return scaledWaitMs(baseMs, blocks, inject('ledgerBlockIntervalMs') ?? 0);
}
