/**
 * `npm run deploy:check`: renders every overlay and validates it, compares the environments, and checks the
 * image, the alert rules and the dashboard. Each part is a section; the check fails if any section has errors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkDockerfile } from './dockerfile.js';
import { compareOverlays, judgeDifferences, loadAllowedDifferences } from './drift.js';
import { listOverlays, type RenderedOverlay, renderKustomization } from './manifests.js';
import { isExported, loadExportedMetrics, metricsNamedIn } from './metrics-contract.js';
import { checkAlertCoverage, checkQueries, readAlertRules, readDashboard, scrapeJobs } from './monitoring.js';
import { checkPodPolicy } from './policy.js';
import { checkContainerPorts, checkIngressBackends, checkScrapePorts, checkServicePorts } from './ports.js';
import { checkPostgresCluster, readPostgresManifests } from './postgres.js';
import { type SectionResult, section } from './report.js';
import { validateSchemas } from './schemas.js';
import { checkRoleSettings, loadSettingsContract, type SettingsContract } from './settings.js';

/** Where the check looks. */
export interface CheckOptions {
  /** Holds deploy/, docs/runbook.md, Dockerfile and .dockerignore. */
  root: string;
  /** Holds src/, whose metrics.ts modules say which metrics exist (defaults to `root`). */
  codeRoot?: string;
}

/** Runs every section and returns their results in print order. */
export async function runDeployCheck(options: CheckOptions): Promise<SectionResult[]> {
  const { root } = options;
  const codeRoot = options.codeRoot ?? root;
  const sections: SectionResult[] = [];

  const image = section('Dockerfile: multi-stage, pinned, production dependencies only, non-root, gx entrypoint');
  image.errors.push(...checkDockerfile(root));
  sections.push(image);

  const overlaysDir = path.join(root, 'deploy', 'k8s', 'overlays');
  const environments = listOverlays(overlaysDir);
  const rendered = await Promise.all(
    environments.map(async (environment): Promise<RenderedOverlay | Error> => {
      const directory = path.join(overlaysDir, environment);
      try {
        return { environment, directory, objects: await renderKustomization(directory) };
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
  let settings: SettingsContract | Error;
  try {
    settings = await loadSettingsContract(path.join(codeRoot, 'src'));
  } catch (error) {
    settings = error instanceof Error ? error : new Error(String(error));
  }
  const overlays: RenderedOverlay[] = [];
  for (const [index, environment] of environments.entries()) {
    const result = rendered[index];
    const overlay = section(
      `overlay ${environment}: renders, matches the Kubernetes schemas, ports agree, pod policy, settings the code accepts`,
    );
    if (result instanceof Error || result === undefined) {
      overlay.errors.push(result?.message ?? 'not rendered');
    } else {
      overlays.push(result);
      overlay.notes.push(`${result.objects.length} objects`);
      overlay.errors.push(
        ...(await validateSchemas(result.objects)),
        ...checkServicePorts(result.objects),
        ...checkContainerPorts(result.objects),
        ...checkScrapePorts(result.objects),
        ...checkIngressBackends(result.objects),
        ...checkPodPolicy(result.objects),
        ...(settings instanceof Error
          ? [`could not load src/config.ts: ${settings.message}`]
          : checkRoleSettings(result.objects, settings)),
      );
    }
    sections.push(overlay);
  }
  if (environments.length === 0) sections.push({ ...section('overlays'), errors: [`no overlays in ${overlaysDir}`] });

  const drift = section(`per-environment differences (${environments.join(', ')})`);
  if (overlays.length === environments.length && overlays.length > 1) {
    const allowed = loadAllowedDifferences(path.join(root, 'deploy', 'k8s', 'allowed-differences.yaml'));
    const judged = judgeDifferences(compareOverlays(overlays, allowed));
    drift.notes.push(...judged.notes);
    drift.errors.push(...judged.errors);
  } else if (overlays.length !== environments.length) {
    drift.errors.push('not compared: an overlay failed to render');
  }
  sections.push(drift);

  const postgres = section('PostgreSQL: the CloudNativePG cluster provides the Service and Secret the roles use');
  const base = overlays.find((overlay) => overlay.environment === 'devnet') ?? overlays[0];
  const postgresDir = path.join(root, 'deploy', 'k8s', 'postgres');
  if (base) postgres.errors.push(...checkPostgresCluster(postgresDir, base.objects));
  // Kinds without an installed schema (the CloudNativePG Cluster) are checked by checkPostgresCluster alone.
  const standard = readPostgresManifests(postgresDir).filter((object) => !object.apiVersion.includes('cnpg.io'));
  postgres.errors.push(...(await validateSchemas(standard)));
  sections.push(postgres);

  const monitoringDir = path.join(root, 'deploy', 'monitoring');
  const rulesFile = path.join(monitoringDir, 'alert-rules.yaml');
  const rules = readAlertRules(rulesFile, path.join(root, 'docs', 'runbook.md'));
  const jobs = overlays[0] ? scrapeJobs(overlays[0].objects) : undefined;
  const ruleQueries = checkQueries(rules.queries, undefined, jobs);
  const alerts = section(
    'alert rules: PromQL parses, jobs exist, severity, runbook sections exist, required metrics covered',
  );
  alerts.notes.push(`${rules.queries.length} rules`);
  alerts.errors.push(...rules.errors, ...ruleQueries.errors, ...checkAlertCoverage(ruleQueries.metrics));
  sections.push(alerts);

  const dashboard = readDashboard(path.join(monitoringDir, 'grafana-dashboard.json'));
  const dashboardQueries = checkQueries(dashboard.queries, undefined, jobs);
  const board = section('Grafana dashboard: JSON, unique panel ids, PromQL parses, jobs exist');
  board.notes.push(`${dashboard.queries.length} queries`);
  board.errors.push(...dashboard.errors, ...dashboardQueries.errors);
  sections.push(board);

  const exported = section(
    'every metric the rules, the dashboard and the runbook name is registered by src/**/metrics.ts',
  );
  try {
    const metrics = await loadExportedMetrics(path.join(codeRoot, 'src'));
    exported.errors.push(
      ...checkQueries(rules.queries, metrics).errors.filter((error) => error.includes('no src/**/metrics.ts')),
      ...checkQueries(dashboard.queries, metrics).errors.filter((error) => error.includes('no src/**/metrics.ts')),
      ...metricsNamedIn(readFileSync(path.join(root, 'docs', 'runbook.md'), 'utf8'))
        .filter((metric) => !isExported(metric, metrics))
        .map((metric) => `docs/runbook.md: names ${metric}, which no src/**/metrics.ts registers`),
    );
  } catch (error) {
    exported.errors.push(
      `could not load the code's metrics: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  sections.push(exported);
  return sections;
}
