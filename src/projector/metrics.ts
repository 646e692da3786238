/** The projector's Prometheus metrics, on the process's shared registry (names fixed by docs/api.md). */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../observability/metrics.js';

/** Events taken from the ledger stream, by outcome: `applied`, `rejected` (quarantined) or `duplicate` (at or before the checkpoint). */
export const eventsProcessed = new Counter({
  name: 'projector_events_processed_total',
  help: 'Chaincode events processed by the projector, by outcome (applied, rejected, duplicate).',
  labelNames: ['status'] as const,
  registers: [registry],
});

/** Events whose change a read model refused (quarantined): the ledger carries a change this backend did not ask for. */
export const eventsRefused = new Counter({
  name: 'projector_events_refused_total',
  help: 'Chaincode events the projector quarantined because they change a profile without a command of this backend.',
  registers: [registry],
});

export const blockchainHeight = new Gauge({
  name: 'projector_blockchain_height',
  help: 'Ledger height (number of blocks) as last seen by the active projector.',
  registers: [registry],
});

export const lagBlocks = new Gauge({
  name: 'projector_lag_blocks',
  help: 'Blocks committed on the ledger and not yet applied by the projector.',
  registers: [registry],
});

export const processingDuration = new Histogram({
  name: 'projector_processing_duration_seconds',
  help: 'Time to apply one batch of events (one database transaction, one or more blocks).',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const isActive = new Gauge({
  name: 'projector_active',
  help: '1 while this replica holds the projection lock and applies events, 0 while it stands by.',
  registers: [registry],
});

export const streamReconnects = new Counter({
  name: 'projector_stream_reconnects_total',
  help: 'Times the event stream broke and was reopened from the checkpoint.',
  registers: [registry],
});
