/**
 * The one Prometheus registry of the process. Each module declares its own metrics on it, next to the code
 * that moves them; every role exposes it at /metrics.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });
