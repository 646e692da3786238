/** The scheduler's Prometheus metrics, on the process's shared registry (docs/runbook.md, Scheduler). */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../observability/metrics.js';

export const isActive = new Gauge({
  name: 'scheduler_active',
  help: '1 while this replica holds the scheduler lock and runs the jobs, 0 while it stands by.',
  registers: [registry],
});

export const lastRun = new Gauge({
  name: 'scheduler_job_last_run_timestamp_seconds',
  help: 'Unix time at which the job last completed a run, by job.',
  labelNames: ['job'] as const,
  registers: [registry],
});

export const dueItems = new Gauge({
  name: 'scheduler_job_due_items',
  help: 'Items the job found due (and not yet enqueued) at its last run, by job.',
  labelNames: ['job'] as const,
  registers: [registry],
});

export const enqueued = new Counter({
  name: 'scheduler_job_enqueued_total',
  help: 'Commands the job inserted into the outbox, by job.',
  labelNames: ['job'] as const,
  registers: [registry],
});

export const failures = new Counter({
  name: 'scheduler_job_failures_total',
  help: 'Job runs that failed (retried at the next interval), by job.',
  labelNames: ['job'] as const,
  registers: [registry],
});
