/**
 * A place in the ledger's event stream: block number and the event's index among the chaincode's events of
 * that block. Events are ordered by (block, index); the checkpoint is the last applied position.
 */

/** The position of one event (or the last applied one: the checkpoint). */
export interface StreamPosition {
  blockNumber: bigint;
  /** 0-based index of the event among this chaincode's events in the block. */
  eventIndex: number;
  transactionId: string;
}

/** Negative when `a` comes before `b`, 0 when equal, positive after. */
export function comparePositions(
  a: Pick<StreamPosition, 'blockNumber' | 'eventIndex'>,
  b: Pick<StreamPosition, 'blockNumber' | 'eventIndex'>,
): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  return a.eventIndex - b.eventIndex;
}

/** True when `event` comes after `checkpoint` (everything does when there is no checkpoint yet). */
export function isAfter(
  event: Pick<StreamPosition, 'blockNumber' | 'eventIndex'>,
  checkpoint: Pick<StreamPosition, 'blockNumber' | 'eventIndex'> | undefined,
): boolean {
  return checkpoint === undefined || comparePositions(event, checkpoint) > 0;
}
