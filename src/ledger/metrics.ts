/** Prometheus metrics of the ledger client, on the process's shared registry. */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../observability/metrics.js';

/** Circuit breaker state per ledger client: 0 closed (calls flow), 1 half-open (probing), 2 open (failing fast). */
export const fabricCircuitBreakerState = new Gauge({
  name: 'fabric_circuit_breaker_state',
  help: 'Ledger client circuit breaker: 0 closed, 1 half-open, 2 open',
  labelNames: ['client'] as const,
  registers: [registry],
});

/** New gRPC channels opened after the old one failed (each one re-resolves the peer's address). */
export const fabricReconnectsTotal = new Counter({
  name: 'fabric_reconnects_total',
  help: 'gRPC channels to the Fabric peer rebuilt after a connection failure',
  labelNames: ['client'] as const,
  registers: [registry],
});

/**
 * 1 while the peer answers, 0 after a connection failure or a failed health probe; set by every call's
 * outcome, by health(), and by the optional periodic probe (LedgerClientOptions.probeIntervalMs).
 */
export const fabricLedgerReachable = new Gauge({
  name: 'fabric_ledger_reachable',
  help: 'Whether the Fabric peer answered the last call or health probe (1) or not (0)',
  labelNames: ['client'] as const,
  registers: [registry],
});

/**
 * 1 when the last health probe had a write endorsed (every organization the endorsement policy needs
 * answered), 0 when it could not be: `fabric_ledger_reachable` can be 1 meanwhile (the client's own peer
 * answers evaluates while another organization's peer is down).
 */
export const fabricLedgerEndorsable = new Gauge({
  name: 'fabric_ledger_endorsable',
  help: 'Whether the last health probe could have a write endorsed under the endorsement policy (1) or not (0)',
  labelNames: ['client'] as const,
  registers: [registry],
});

/**
 * How the outcomes of submitted transactions were learned: from the one filtered-block stream, or by a
 * CommitStatus call (stream not yet positioned or degraded, resubmitted bytes, not seen in time).
 */
export const fabricCommitOutcomes = new Counter({
  name: 'fabric_commit_outcomes_total',
  help: 'Commit outcomes of submitted transactions, by how they were learned (block_stream or commit_status)',
  labelNames: ['client', 'via'] as const,
  registers: [registry],
});
