/**
 * Probes and metrics: `/livez` (the process runs), `/readyz` (it can serve: database reachable and schema
 * the code's or a compatible newer one; projection lag, ledger reachability and outbox backlog only make it `degraded`, still 200),
 * `/metrics` (Prometheus text of the shared registry). `/health` answers exactly as `/readyz`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { type LedgerProbe, ledgerHealth, projectorStatus } from '../../observability/health.js';
import { registry } from '../../observability/metrics.js';
import {
  databaseChecks,
  lagWithin,
  type Readiness,
  type ReadinessThresholds,
  readinessCode,
  readinessOf,
} from '../../observability/readiness.js';
import { outboxStatus } from '../../outbox/backlog.js';

export interface HealthRoutesOptions {
  pool: pg.Pool;
  ledger: LedgerProbe | undefined;
  /** Above these the system reports `degraded`. */
  thresholds: ReadinessThresholds;
}

/** Whether the request carries the access token of staff who may read admin views (auditor or above, auth.ts). */
function isStaff(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (!request.headers.authorization) return Promise.resolve(false);
  return new Promise((resolve) =>
    app.requireRole('auditor')(request, reply, (error?: Error) => resolve(error === undefined)),
  );
}

export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const { pool, thresholds } = options;
  const quiet = { config: { noRateLimit: true }, logLevel: 'warn' as const, schema: { hide: true } };

  app.get('/livez', quiet, async () => ({ status: 'alive' }));

  const readyz = async (request: FastifyRequest, reply: FastifyReply) => {
    const readiness = await readinessNow();
    reply.code(readinessCode(readiness));
    // The details (schema versions, lag, backlog, ledger errors) help an attacker more than a load balancer,
    // which needs only the status code: the public is told the status, staff (auditors and up) everything (as is whoever
    // reaches a worker's in-cluster probe port, src/observability/probe-server.ts).
    return (await isStaff(app, request, reply)) ? readiness : { status: readiness.status };
  };
  const readinessNow = async (): Promise<Readiness> => {
    const database = await databaseChecks(pool);
    if (!database.database.ok || !database.schema?.ok) return readinessOf(database);
    const [ledger, outbox, projector] = await Promise.all([
      ledgerHealth(options.ledger),
      outboxStatus(pool).catch(() => undefined),
      projectorStatus(pool).catch(() => undefined),
    ]);
    return readinessOf(database, {
      // A write endorsed, not only a peer answering: evaluate works while another organization is down.
      ledger: { ok: ledger.endorsable, ...ledger },
      projector: { ok: projector !== undefined && lagWithin(projector, thresholds), ...projector },
      outbox: {
        ok: outbox !== undefined && (outbox.oldestPendingAgeMs ?? 0) <= thresholds.maxPendingAgeMs,
        ...outbox,
      },
    });
  };
  app.get('/readyz', quiet, readyz);
  // The old deployment's probes and runbooks call /health: the same answer, so they keep telling the truth.
  app.get('/health', quiet, readyz);

  app.get('/metrics', quiet, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
