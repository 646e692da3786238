/** The outbox's PostgreSQL NOTIFY channels. */

/** Announces a command's status change; the payload is the command id. */
export const COMMAND_STATUS_CHANNEL = 'gx_command_status';
/** Wakes submitters when rows are inserted (fired by the insert trigger of migration 0001). */
export const OUTBOX_CHANNEL = 'outbox_command';
