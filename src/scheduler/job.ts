/**
 * A scheduler job: something time-driven that the ledger cannot start by itself. A job only enqueues commands
 * through the outbox (one insert per item, each with a request id derived from the item), so it can be killed
 * at any moment and run again, by this replica or another, without enqueuing anything twice; the chaincode
 * re-checks the time condition of every command it receives.
 */
export interface JobRun {
  /** Items due at this run (found in the read models, not yet enqueued). */
  due: number;
  /** Commands this run inserted into the outbox. */
  enqueued: number;
}

export interface SchedulerJob {
  /** Metric label and log field; stable. */
  name: string;
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number;
  run(): Promise<JobRun>;
}
