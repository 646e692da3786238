/**
 * Probes and metrics: `/livez` (the process runs), `/readyz` (it can serve: database reachable and schema
 * the code's or a compatible newer one; projection lag, ledger reachability and outbox backlog only make it `degraded`, still 200),
 * `/metrics` (Prometheus text of the shared registry). `/health` answers exactly as `/readyz`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { schemaCheck } from '../../db/migrator.js';
import { registry } from '../../observability/metrics.js';
import { type LedgerProbe, ledgerHealth, outboxStatus, projectorStatus } from '../../services/system-status.js';

export interface HealthRoutesOptions {
  pool: pg.Pool;
  ledger: LedgerProbe | undefined;
  /** Above these the system reports `degraded`. */
  thresholds?: { lagBlocks?: number; lagMs?: number; oldestPendingMs?: number };
}

export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const { pool } = options;
  const lagBlocksMax = options.thresholds?.lagBlocks ?? 10;
  const lagMsMax = options.thresholds?.lagMs ?? 60_000;
  const oldestPendingMax = options.thresholds?.oldestPendingMs ?? 60_000;
  const quiet = { config: { noRateLimit: true }, logLevel: 'warn' as const, schema: { hide: true } };

  app.get('/livez', quiet, async () => ({ status: 'alive' }));

  const readyz = async (_request: FastifyRequest, reply: FastifyReply) => {
    const checks: Record<string, unknown> = {};
    try {
      // Ready on the code's schema or a compatible newer one (expand/contract: a rolling deploy keeps old pods in).
      const schema = await schemaCheck(pool);
      checks.database = { ok: true };
      checks.schema = schema;
      if (!schema.ok) return reply.code(503).send({ status: 'unavailable', checks });
    } catch (error) {
      checks.database = { ok: false, error: (error as Error).message };
      return reply.code(503).send({ status: 'unavailable', checks });
    }
    const [ledger, outbox, projector] = await Promise.all([
      ledgerHealth(options.ledger),
      outboxStatus(pool).catch(() => undefined),
      projectorStatus(pool).catch(() => undefined),
    ]);
    const projectorOk =
      projector !== undefined && (projector.lagBlocks ?? 0) <= lagBlocksMax && (projector.lagMs ?? 0) <= lagMsMax;
    const outboxOk = outbox !== undefined && (outbox.oldestPendingAgeMs ?? 0) <= oldestPendingMax;
    checks.ledger = { ok: ledger.reachable, ...ledger };
    checks.projector = { ok: projectorOk, ...projector };
    checks.outbox = { ok: outboxOk, ...outbox };
    const degraded = !ledger.reachable || !projectorOk || !outboxOk;
    return { status: degraded ? 'degraded' : 'ready', checks };
  };
  app.get('/readyz', quiet, readyz);
  // The old deployment's probes and runbooks call /health: the same answer, so they keep telling the truth.
  app.get('/health', quiet, readyz);

  app.get('/metrics', quiet, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
