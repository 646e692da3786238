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

export const sseStreamsOpen = new Counter({
  name: 'http_command_event_streams_total',
  help: 'Server-Sent Event streams opened on /api/v1/commands/:id/events.',
  registers: [registry],
});
