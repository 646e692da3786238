/**
 * Less work per outbox row update. Each row is updated three times on its way to the ledger (claim, signed
 * bytes stored, outcome recorded), and every update changes an indexed column, so none is a HOT update:
 * each one adds an entry to every index whose predicate the row matches.
 *
 * - Two indexes no query uses are dropped: `outbox_command_in_flight_idx` (rows held by a submitter are found
 *   through `outbox_command_held_idx`) and `outbox_command_submitted_by_idx` (nothing filters by submitter).
 * - The signed transaction (~4.7 KB for a CREATE_USER) is stored without compression (`STORAGE EXTERNAL`):
 *   pglz ran on every stored transaction (signatures and certificates compress poorly), for bytes that live
 *   only while their fate is unknown and are cleared once the ledger answers.
 */
export const sql = /* sql */ `
DROP INDEX outbox_command_in_flight_idx;
DROP INDEX outbox_command_submitted_by_idx;
ALTER TABLE outbox_command ALTER COLUMN signed_tx SET STORAGE EXTERNAL;
`;
