/**
 * The alert rules and the Grafana dashboard: every expression parses, every metric it reads is exported by
 * the code, every alert says how bad it is and links a runbook section that exists, and the rules cover the
 * metrics this project promises to alert on.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { KubeObject } from './manifests.js';
import { type ExportedMetrics, isExported, requiredAlertMetrics } from './metrics-contract.js';
import { parsePromQL, substituteGrafanaVariables } from './promql.js';
import { anchorsOf } from './runbook.js';

const duration = /^(\d+(ms|s|m|h|d|w|y))+$/;

const ruleSchema = z.object({
  alert: z.string().optional(),
  record: z.string().optional(),
  expr: z.union([z.string(), z.number()]).transform(String),
  for: z.string().regex(duration, 'must be a Prometheus duration').optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const ruleFileSchema = z.object({
  spec: z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(ruleSchema) })).min(1) }),
});

/** An expression found in the rules or the dashboard, and where. */
export interface Query {
  where: string;
  expression: string;
}

/**
 * Every metric the queries read, and their problems: syntax errors, metrics the code does not export (when
 * `exported` is given) and jobs no scraped Service has (when `scrapeJobs` is given).
 */
export function checkQueries(
  queries: readonly Query[],
  exported: ExportedMetrics | undefined,
  scrapeJobs?: ReadonlySet<string>,
): { errors: string[]; metrics: Set<string> } {
  const errors: string[] = [];
  const metrics = new Set<string>();
  for (const query of queries) {
    const parsed = parsePromQL(query.expression);
    for (const job of parsed.jobs) {
      if (scrapeJobs && !scrapeJobs.has(job)) {
        errors.push(
          `${query.where}: selects job="${job}", which no scraped Service is (jobs: ${[...scrapeJobs].join(', ')})`,
        );
      }
    }
    for (const error of parsed.errors) errors.push(`${query.where}: ${error}`);
    for (const metric of parsed.metrics) {
      metrics.add(metric);
      if (exported && !isExported(metric, exported)) {
        errors.push(`${query.where}: reads ${metric}, which no src/**/metrics.ts registers`);
      }
    }
  }
  return { errors, metrics };
}

/** Reads the PrometheusRule file: the expressions and the rule-level problems (severity, runbook, names). */
export function readAlertRules(file: string, runbookFile: string): { queries: Query[]; errors: string[] } {
  const errors: string[] = [];
  const queries: Query[] = [];
  const parsed = ruleFileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) return { queries, errors: [`${file}: ${z.prettifyError(parsed.error)}`] };
  const anchors = anchorsOf(readFileSync(runbookFile, 'utf8'));
  const names = new Set<string>();
  for (const group of parsed.data.spec.groups) {
    for (const rule of group.rules) {
      const name = rule.alert ?? rule.record ?? '(unnamed)';
      const where = `rule ${name}`;
      queries.push({ where, expression: rule.expr });
      if (rule.alert === undefined && rule.record === undefined) errors.push(`${where}: neither alert nor record`);
      if (rule.alert === undefined) continue;
      if (names.has(rule.alert)) errors.push(`${where}: defined twice`);
      names.add(rule.alert);
      if (!['critical', 'warning', 'info'].includes(rule.labels?.severity ?? '')) {
        errors.push(`${where}: labels.severity must be critical, warning or info`);
      }
      if (!rule.annotations?.summary) errors.push(`${where}: no summary annotation`);
      const runbook = rule.annotations?.runbook;
      const anchor = runbook?.split('#')[1];
      if (!runbook || !anchor) errors.push(`${where}: no runbook annotation (docs/runbook.md#section)`);
      else if (!anchors.has(anchor))
        errors.push(`${where}: runbook section #${anchor} does not exist in docs/runbook.md`);
    }
  }
  return { queries, errors };
}

/**
 * The `job` label values Prometheus gives the backend's targets: each ServiceMonitor's `jobLabel` read from
 * the Services it selects (the Service name when it has no jobLabel).
 */
export function scrapeJobs(objects: readonly KubeObject[]): Set<string> {
  const jobs = new Set<string>();
  const services = objects.filter((object) => object.kind === 'Service');
  for (const monitor of objects.filter((object) => object.kind === 'ServiceMonitor')) {
    const spec = monitor.spec as { jobLabel?: string; selector?: { matchLabels?: Record<string, string> } };
    for (const service of services) {
      const labels = service.metadata.labels ?? {};
      const selected = Object.entries(spec.selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
      if (!selected) continue;
      jobs.add((spec.jobLabel ? labels[spec.jobLabel] : undefined) ?? service.metadata.name);
    }
  }
  return jobs;
}

/** The rules must alert on each metric the project promises to watch. */
export function checkAlertCoverage(readMetrics: ReadonlySet<string>): string[] {
  return requiredAlertMetrics
    .filter((metric) => !readMetrics.has(metric))
    .map((metric) => `no alert rule reads ${metric}`);
}

interface DashboardPanel {
  id?: number;
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string }>;
  panels?: DashboardPanel[];
}

/** Reads the dashboard JSON: its queries and structural problems (uid, duplicate panel ids, empty panels). */
export function readDashboard(file: string): { queries: Query[]; errors: string[] } {
  const errors: string[] = [];
  const queries: Query[] = [];
  let dashboard: { uid?: string; title?: string; panels?: DashboardPanel[] };
  try {
    dashboard = JSON.parse(readFileSync(file, 'utf8')) as typeof dashboard;
  } catch (error) {
    return { queries, errors: [`${file}: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (!dashboard.uid) errors.push('dashboard: no uid (provisioning would duplicate it on every load)');
  const ids = new Set<number>();
  const visit = (panels: readonly DashboardPanel[]) => {
    for (const panel of panels) {
      const where = `dashboard panel "${panel.title ?? panel.id}"`;
      if (panel.id !== undefined) {
        if (ids.has(panel.id)) errors.push(`${where}: duplicate panel id ${panel.id}`);
        ids.add(panel.id);
      }
      if (panel.type !== 'row' && (panel.targets ?? []).length === 0) errors.push(`${where}: no query`);
      for (const target of panel.targets ?? []) {
        if (target.expr) queries.push({ where, expression: substituteGrafanaVariables(target.expr) });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels ?? []);
  return { queries, errors };
}
