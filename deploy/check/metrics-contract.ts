/**
 * The metric names the code exports, for comparison with the alert rules and the dashboard. Each component
 * declares its metrics in `src/<component>/metrics.ts` on the shared registry; importing every such module
 * and reading the registry gives the names exactly as Prometheus will see them.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Metrics that come from Prometheus or the cluster, not from the backend. */
export const externalMetrics: ReadonlySet<string> = new Set(['up']);

/** The metrics every dashboard and rule set of this project depends on: the contract with the code. */
export const requiredAlertMetrics: readonly string[] = [
  'outbox_queue_depth',
  'outbox_oldest_pending_age_seconds',
  'outbox_dead_letters',
  'projector_lag_blocks',
  'http_requests_total',
  'fabric_circuit_breaker_state',
  'fabric_ledger_reachable',
];

/** Name → metric type ("counter", "gauge", "histogram", "summary"). */
export type ExportedMetrics = ReadonlyMap<string, string>;

/** Every `metrics.ts` module under `srcDir`, found when the check runs. */
export function metricModules(srcDir: string): string[] {
  return (readdirSync(srcDir, { recursive: true }) as string[])
    .filter((file) => path.basename(file) === 'metrics.ts')
    .map((file) => path.join(srcDir, file))
    .sort();
}

interface MetricsRegistry {
  getMetricsAsJSON(): Promise<Array<{ name: string; type: unknown }>>;
}

/** Imports every metrics module under `srcDir` and reads the shared registry's metric names. */
export async function loadExportedMetrics(srcDir: string): Promise<ExportedMetrics> {
  for (const module of metricModules(srcDir)) await import(pathToFileURL(module).href);
  const shared = (await import(pathToFileURL(path.join(srcDir, 'observability', 'metrics.ts')).href)) as {
    registry: MetricsRegistry;
  };
  const metrics = await shared.registry.getMetricsAsJSON();
  return new Map(metrics.map((metric) => [metric.name, String(metric.type)]));
}

const seriesSuffixes: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** Whether a name used in a query is a series the code exports (histogram `_bucket` etc. included). */
export function isExported(name: string, exported: ExportedMetrics): boolean {
  if (externalMetrics.has(name) || exported.has(name)) return true;
  for (const [metric, type] of exported) {
    if ((seriesSuffixes[type] ?? []).some((suffix) => name === `${metric}${suffix}`)) return true;
  }
  return false;
}

/**
 * Metric names a Markdown text cites: code spans holding just a metric, with or without label matchers
 * (`projector_lag_blocks`, `outbox_commands_processed_total{status="FAILED"}`). Longer spans (SQL, commands)
 * are not citations and may name tables that share a metric's prefix.
 */
export function metricsNamedIn(markdown: string): string[] {
  const names = new Set<string>();
  for (const span of markdown.matchAll(/`((?:outbox|projector|http|fabric)_[a-z0-9_]+)(?:\{[^}`]*\})?`/g)) {
    if (span[1]) names.add(span[1]);
  }
  return [...names].sort();
}
