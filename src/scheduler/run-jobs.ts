/** Runs each job on its own interval until stopped, recording its metrics; a failed run is retried next time. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../observability/logger.js';
import type { SchedulerJob } from './job.js';
import * as metrics from './metrics.js';

/** Resolves once every job's loop has seen `signal` abort (a run in progress finishes its current insert). */
export async function runJobs(jobs: readonly SchedulerJob[], signal: AbortSignal, logger: Logger): Promise<void> {
  await Promise.all(jobs.map((job) => runJob(job, signal, logger.child({ job: job.name }))));
}

async function runJob(job: SchedulerJob, signal: AbortSignal, logger: Logger): Promise<void> {
  while (!signal.aborted) {
    try {
      const { due, enqueued } = await job.run();
      metrics.dueItems.set({ job: job.name }, due);
      metrics.enqueued.inc({ job: job.name }, enqueued);
      metrics.lastRun.set({ job: job.name }, Date.now() / 1000);
      if (due > 0) logger.info({ due, enqueued }, 'job ran');
    } catch (error) {
      metrics.failures.inc({ job: job.name });
      logger.error({ err: error }, 'job run failed; retrying at the next interval');
    }
    await sleep(job.intervalMs, undefined, { signal }).catch(() => undefined);
  }
}
