/**
 * The `gx scheduler` role: stand by until this replica holds the scheduler lock, then run the time-driven jobs
 * until the lock is lost or the process is told to stop. It needs only the database: every job enqueues
 * commands that the submitter signs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config.js';
import type { Database } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';
import { startProbeServer } from '../observability/probe-server.js';
import { databaseChecks, readinessOf } from '../observability/readiness.js';
import { acquireLeadership } from '../projector/leadership.js';
import { type RoleContext, startRole, untilSignal } from '../runtime.js';
import { expirePaymentRequestsJob } from './expire-payment-requests.js';
import type { SchedulerJob } from './job.js';
import * as metrics from './metrics.js';
import { runJobs } from './run-jobs.js';

/** The advisory lock that elects the one active scheduler. */
export const schedulerLockName = 'gx-scheduler';

/** A running scheduler role: active when it holds the lock, standing by otherwise. */
export interface SchedulerRoleHandle {
  role(): 'active' | 'standby';
  /** Stops the jobs (or standing by) and releases the lock. */
  stop(): Promise<void>;
}

/** The jobs of this release. */
export function schedulerJobs(context: RoleContext): SchedulerJob[] {
  return [expirePaymentRequestsJob(context.db.pool, { intervalMs: context.config.scheduler.intervalMs })];
}

/**
 * Starts the scheduler role inside an already started process: `gx scheduler` and `gx dev` both use this.
 * Only the lock's connection settings come from `db`; the jobs carry their own pool.
 */
export function startSchedulerRole(
  context: { logger: Logger; db: Pick<Database, 'clientConfig'> },
  jobs: readonly SchedulerJob[],
): SchedulerRoleHandle {
  const { logger, db } = context;
  const stop = new AbortController();
  let active = false;
  metrics.isActive.set(0);
  const work = (async () => {
    while (!stop.signal.aborted) {
      try {
        logger.info('standing by for the scheduler lock');
        const leadership = await acquireLeadership(
          { clientConfig: db.clientConfig, lockName: schedulerLockName, logger },
          stop.signal,
        );
        if (!leadership) break;
        logger.info('holding the scheduler lock: active');
        active = true;
        metrics.isActive.set(1);
        try {
          await runJobs(jobs, AbortSignal.any([stop.signal, leadership.lost]), logger);
          if (leadership.lost.aborted && !stop.signal.aborted) logger.warn('scheduler lock lost; standing by again');
        } finally {
          active = false;
          metrics.isActive.set(0);
          await leadership.release();
        }
      } catch (error) {
        if (stop.signal.aborted) break;
        logger.error({ err: error }, 'scheduler failed; retrying');
        await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  })();
  return {
    role: () => (active ? 'active' : 'standby'),
    async stop() {
      stop.abort();
      await work;
    },
  };
}

/** Runs `gx scheduler` until SIGINT/SIGTERM, with /metrics, /livez and /readyz on GX_METRICS_PORT. */
export async function runScheduler(): Promise<void> {
  const config = loadConfig();
  const context = await startRole('scheduler', config);
  const { logger, db } = context;
  const role = startSchedulerRole(context, schedulerJobs(context));
  const probes = await startProbeServer({
    port: config.http.metricsPort,
    readiness: async () => {
      const database = await databaseChecks(db.pool);
      if (!database.database.ok || !database.schema?.ok) return readinessOf(database);
      return readinessOf(database, { scheduler: { ok: true, role: role.role() } });
    },
  });
  logger.info({ port: probes.port }, 'probe server listening');
  await untilSignal(logger, async () => {
    await role.stop();
    await probes.close();
    await db.close();
  });
}
