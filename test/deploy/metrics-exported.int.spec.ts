/**
 * The contract between the code and operations: every metric that an alert rule or a dashboard panel reads is
 * registered by some `src/**\/metrics.ts` module on the shared registry. Modules are found when the test runs,
 * so a component that adds or renames a metric is covered without editing this test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isExported, loadExportedMetrics, metricModules, metricsNamedIn } from '../../deploy/check/metrics-contract.js';
import { checkQueries, readAlertRules, readDashboard } from '../../deploy/check/monitoring.js';
import { REPOSITORY_ROOT } from './workspace.js';

const monitoring = path.join(REPOSITORY_ROOT, 'deploy', 'monitoring');

describe('metrics read by the alert rules and the dashboard, and cited by the runbook', () => {
  it('finds the components’ metrics modules', () => {
    const modules = metricModules(path.join(REPOSITORY_ROOT, 'src')).map((file) =>
      path.relative(REPOSITORY_ROOT, file),
    );
    expect(modules).toContain(path.join('src', 'observability', 'metrics.ts'));
    expect(modules.length).toBeGreaterThan(1);
  });

  it('are all registered by the code', async () => {
    const exported = await loadExportedMetrics(path.join(REPOSITORY_ROOT, 'src'));
    const rules = readAlertRules(
      path.join(monitoring, 'alert-rules.yaml'),
      path.join(REPOSITORY_ROOT, 'docs', 'runbook.md'),
    );
    const dashboard = readDashboard(path.join(monitoring, 'grafana-dashboard.json'));
    const runbook = readFileSync(path.join(REPOSITORY_ROOT, 'docs', 'runbook.md'), 'utf8');
    const read = new Set([
      ...checkQueries(rules.queries, undefined).metrics,
      ...checkQueries(dashboard.queries, undefined).metrics,
      ...metricsNamedIn(runbook),
    ]);
    const missing = [...read].filter((metric) => !isExported(metric, exported)).sort();
    expect(
      missing,
      `read by rules, dashboard or runbook, registered by no src/**/metrics.ts: ${missing.join(', ')}`,
    ).toEqual([]);
  });
});
