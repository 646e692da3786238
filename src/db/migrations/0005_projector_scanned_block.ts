/**
 * Where the projector has read the ledger to, beside where it has applied events to. On a channel shared with
 * other chaincodes most blocks carry no gxtv3 event: the projector learns of them from the filtered-block
 * stream and records the highest block through which every gxtv3 event is applied (`scanned_block`), so that
 * lag is measured against the ledger's true height (every block, from qscc and the block stream) without
 * counting blocks it had nothing to apply from. NULL until a projector that knows the column writes it.
 *
 * Expand only: a nullable column that the previous release neither reads nor writes.
 */
export const sql = /* sql */ `
ALTER TABLE projector_state ADD COLUMN scanned_block bigint;
`;
