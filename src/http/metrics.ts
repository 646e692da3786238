/**
 * The API's Prometheus metrics, on the process's shared registry.
 */
import { Counter, Histogram } from 'prom-client';
import { registry } from '../observability/metrics.js';

export const httpRequestsTotal = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpRequestDurationSeconds = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to sending its answer, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

type Labels = 'method' | 'route' | 'status';
const children = new Map<string, { total: Counter.Internal; duration: Histogram.Internal<Labels> }>();

/**
 * Counts one answer and its duration. The label children are kept per method, route pattern and status (a
 * small set), so an answer costs a map lookup instead of prom-client hashing the label set twice.
 */
export function recordHttpRequest(method: string, route: string, status: number, elapsedMs: number): void {
  const key = `${method} ${status} ${route}`;
  let child = children.get(key);
  if (!child) {
    const labels = { method, route, status: String(status) };
    child = { total: httpRequestsTotal.labels(labels), duration: httpRequestDurationSeconds.labels(labels) };
    children.set(key, child);
  }
  child.total.inc();
  child.duration.observe(elapsedMs / 1000);
}

export const sseStreamsOpen = new Counter({
  name: 'http_command_event_streams_total',
  help: 'Server-Sent Event streams opened on /api/v1/commands/:id/events.',
  registers: [registry],
});
