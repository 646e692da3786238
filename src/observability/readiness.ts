/**
 * The readiness contract every role answers on `/readyz` (the API on its port, the workers on
 * GX_METRICS_PORT): `{status, checks}`, each check `{ok, …details}`. A role is `unavailable` (503) only when
 * it cannot do its job at all: the database unreachable, the schema neither the code's nor a compatible newer one, or a check the role
 * itself depends on (the submitter's claim loop). Projection lag, outbox backlog and ledger reachability
 * only make it `degraded` (still 200): a read API must not leave service because the projector is behind.
 */
import type pg from 'pg';
import type { Config } from '../config.js';
import { schemaCheck } from '../db/migrator.js';

export interface Check {
  ok: boolean;
  [detail: string]: unknown;
}

export interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  checks: Record<string, Check>;
}

/** Above these a role reports `degraded` (GX_READY_MAX_LAG_BLOCKS, GX_READY_MAX_LAG_MS, GX_READY_MAX_PENDING_AGE_MS). */
export type ReadinessThresholds = Config['readiness'];

/**
 * Database reachable and schema usable: the checks every role needs to pass. Usable is the code's schema or a
 * newer one whose migrations declare this release compatible (expand/contract), so a rolling deploy keeps the
 * old pods in service while the new release migrates.
 */
export async function databaseChecks(pool: pg.Pool): Promise<{ database: Check; schema?: Check }> {
  try {
    return { database: { ok: true }, schema: { ...(await schemaCheck(pool)) } };
  } catch (error) {
    return { database: { ok: false, error: (error as Error).message } };
  }
}

/**
 * The verdict: `unavailable` when a `required` check fails (or is missing), `degraded` when a `reported` one
 * does, `ready` otherwise.
 */
export function readinessOf(
  required: Record<string, Check | undefined>,
  reported: Record<string, Check> = {},
): Readiness {
  const checks: Record<string, Check> = {};
  let unavailable = false;
  for (const [name, check] of Object.entries(required)) {
    if (check) checks[name] = check;
    if (!check?.ok) unavailable = true;
  }
  if (unavailable) return { status: 'unavailable', checks };
  Object.assign(checks, reported);
  return { status: Object.values(reported).every((check) => check.ok) ? 'ready' : 'degraded', checks };
}

/** Whether projection lag (blocks behind, ms since the last applied block while behind) is within bounds. */
export function lagWithin(
  lag: { lagBlocks: number | null; lagMs: number | null },
  thresholds: ReadinessThresholds,
): boolean {
  return (lag.lagBlocks ?? 0) <= thresholds.maxLagBlocks && (lag.lagMs ?? 0) <= thresholds.maxLagMs;
}

/** The HTTP status of a readiness answer. */
export function readinessCode(readiness: Readiness): 200 | 503 {
  return readiness.status === 'unavailable' ? 503 : 200;
}
