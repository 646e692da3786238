/**
 * The submitter's `/readyz` answer: database and schema (required), its claim loop (required), and whether a
 * write can be endorsed now (reported). A ledger that cannot endorse makes it `degraded`, not `unavailable`:
 * the submitter is doing the right thing (paused, probing, losing nothing), and restarting it would not help.
 */
import type pg from 'pg';
import type { LedgerClient } from '../ledger/index.js';
import { databaseChecks, type Readiness, readinessOf } from '../observability/readiness.js';
import type { Submitter } from './submitter.js';

export async function submitterReadiness(
  pool: pg.Pool,
  ledger: Pick<LedgerClient, 'health'>,
  submitter: Pick<Submitter, 'isRunning' | 'inFlight' | 'ledgerUnavailable'>,
): Promise<Readiness> {
  const [database, health] = await Promise.all([databaseChecks(pool), ledger.health()]);
  const paused = submitter.ledgerUnavailable();
  return readinessOf(
    { ...database, submitter: { ok: submitter.isRunning(), inFlight: submitter.inFlight() } },
    {
      ledger: {
        ok: health.endorsable && !paused,
        reachable: health.reachable,
        endorsable: health.endorsable,
        paused,
        latencyMs: health.latencyMs,
        ...(health.error === undefined ? {} : { error: health.error }),
      },
    },
  );
}
