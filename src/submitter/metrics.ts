/** Prometheus metrics of the outbox submitter, on the process's shared registry (names fixed by docs/api.md). */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../observability/metrics.js';
import type { OutboxGauges } from '../outbox/backlog.js';

/**
 * Where the outbox gauges come from: a running submitter registers a reader, and the gauges are read when
 * /metrics is scraped (one statement for the three, reused for a second), not on a timer: the statement
 * scans every row in flight, which under load costs the database more than a scrape interval's worth.
 */
let gaugeSource: (() => Promise<OutboxGauges>) | undefined;
let gaugeRead: Promise<void> | undefined;
let gaugeReadAt = Number.NEGATIVE_INFINITY;

/** Sets what the outbox gauges read from; returns a function that clears it (if it is still the source). */
export function setOutboxGaugeSource(source: () => Promise<OutboxGauges>): () => void {
  gaugeSource = source;
  gaugeReadAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (gaugeSource === source) gaugeSource = undefined;
  };
}

/** Reads the gauges for a scrape; a failed read keeps the last values (the failure is the source's to log). */
function readGauges(): Promise<void> {
  const source = gaugeSource;
  if (!source || performance.now() - gaugeReadAt < 1_000) return gaugeRead ?? Promise.resolve();
  gaugeReadAt = performance.now();
  gaugeRead = source().then(
    (gauges) => {
      outboxQueueDepth.set(gauges.queueDepth);
      outboxOldestPendingAge.set(gauges.oldestPendingAgeSeconds);
      outboxDeadLetters.set(gauges.deadLetters);
    },
    () => undefined,
  );
  return gaugeRead;
}

/** Commands waiting to be submitted (PENDING, or FAILED with a retry scheduled), read when scraped. */
export const outboxQueueDepth = new Gauge({
  name: 'outbox_queue_depth',
  help: 'Outbox commands waiting to be submitted (pending or scheduled for retry)',
  registers: [registry],
  collect: readGauges,
});

/** Attempts by how they ended: COMMITTED, RETRY (transient failure, scheduled again) or FAILED (dead letter). */
export const outboxCommandsProcessed = new Counter({
  name: 'outbox_commands_processed_total',
  help: 'Outbox command attempts by outcome: COMMITTED, RETRY (transient, rescheduled), FAILED (dead-lettered)',
  labelNames: ['status'] as const,
  registers: [registry],
});

/** From claiming a row to its outcome being written back. */
export const outboxProcessingDuration = new Histogram({
  name: 'outbox_processing_duration_seconds',
  help: 'Time from claiming an outbox command to recording its outcome',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

/** From the row's insert to its transaction being sent to the orderer. */
export const outboxInsertToSubmit = new Histogram({
  name: 'outbox_insert_to_submit_seconds',
  help: 'Time from inserting an outbox command to submitting its transaction',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

/** Commands this process holds: claimed, being endorsed, or submitted and awaiting commit. */
export const outboxInFlight = new Gauge({
  name: 'outbox_commands_in_flight',
  help: 'Outbox commands held by this submitter (claimed, endorsing, or awaiting commit)',
  registers: [registry],
});

/** Age of the oldest command not yet settled (waiting, in flight or retrying), read when scraped. */
export const outboxOldestPendingAge = new Gauge({
  name: 'outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest outbox command not yet committed or dead-lettered',
  registers: [registry],
  collect: readGauges,
});

/** Dead letters waiting for an administrator (FAILED, not retrying, not discarded). */
export const outboxDeadLetters = new Gauge({
  name: 'outbox_dead_letters',
  help: 'Outbox commands FAILED with no retry scheduled and not discarded',
  registers: [registry],
  collect: readGauges,
});

/**
 * 1 while the submitter has paused claiming because the ledger cannot endorse any write (peers unreachable,
 * endorsement policy unsatisfiable), 0 otherwise. Commands wait meanwhile; none spends an attempt.
 */
export const submitterLedgerUnavailable = new Gauge({
  name: 'gx_submitter_ledger_unavailable',
  help: 'Whether the submitter is paused because the ledger cannot endorse writes (1) or not (0)',
  registers: [registry],
});

/** Times the submitter paused for a ledger outage (each pause lasts until a probe endorsement succeeds). */
export const submitterOutagePauses = new Counter({
  name: 'gx_submitter_outage_pauses_total',
  help: 'Times the submitter paused claiming because the ledger could not endorse writes',
  registers: [registry],
});

/** Commands given back, their attempt uncounted, because the ledger could not endorse them (an outage). */
export const submitterCommandsDeferred = new Counter({
  name: 'gx_submitter_commands_deferred_total',
  help: 'Outbox commands given back without spending an attempt because the ledger could not endorse writes',
  registers: [registry],
});
