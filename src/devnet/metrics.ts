/** devnet's Prometheus metrics, on the process's shared registry. */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../observability/metrics.js';

/** Gateway calls by method and gRPC status code name (`OK`, `ABORTED`, …). */
export const devnetRequests = new Counter({
  name: 'gx_devnet_requests_total',
  help: 'Gateway calls answered by devnet, by method and gRPC status.',
  labelNames: ['method', 'status'] as const,
  registers: [registry],
});

/** Committed transactions by validation code name (`VALID`, `MVCC_READ_CONFLICT`, `DUPLICATE_TXID`, …). */
export const devnetTransactions = new Counter({
  name: 'gx_devnet_transactions_total',
  help: 'Transactions committed by devnet, by validation code.',
  labelNames: ['validation_code'] as const,
  registers: [registry],
});

export const devnetBlocks = new Counter({
  name: 'gx_devnet_blocks_total',
  help: 'Blocks committed by devnet.',
  registers: [registry],
});

export const devnetHeight = new Gauge({
  name: 'gx_devnet_block_height',
  help: 'Number of blocks in the devnet ledger (genesis included).',
  registers: [registry],
});

export const devnetBlockCommitSeconds = new Histogram({
  name: 'gx_devnet_block_commit_seconds',
  help: 'Time to validate and durably write one block.',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

export const devnetEventStreams = new Gauge({
  name: 'gx_devnet_event_streams',
  help: 'Open chaincode event streams.',
  registers: [registry],
});
