/**
 * The outbox submitter: outbox rows → Fabric transactions, exactly once.
 */
export { runSubmitter } from './run-submitter.js';
export { type Submitter, type SubmitterOptions, startSubmitter } from './submitter.js';
