/**
 * The outbox submitter: outbox rows → Fabric transactions, exactly once; plus the admin's dead-letter actions.
 */
export { type AdminCommandResult, discardCommand, retryCommand } from './admin-commands.js';
export { runSubmitter } from './run-submitter.js';
export { type Submitter, type SubmitterOptions, startSubmitter } from './submitter.js';
