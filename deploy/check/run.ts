/**
 * `npm run deploy:check`: renders every overlay and validates it, compares the environments, and checks the
 * image, PostgreSQL, the alert rules, the dashboard and the metrics they read. Each part is a section; the
 * check fails if any section has errors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkDockerfile } from './dockerfile.js';
import { checkEnvironmentValues, compareOverlays, judgeDifferences, loadAllowedDifferences } from './drift.js';
import { type KubeObject, listOverlays, type RenderedOverlay, renderKustomization } from './manifests.js';
import { isExported, loadExportedMetrics, metricsNamedIn } from './metrics-contract.js';
import {
  checkAlertCoverage,
  checkQueries,
  type Query,
  readAlertRules,
  readDashboard,
  scrapeJobs,
} from './monitoring.js';
import { checkPodPolicy } from './policy.js';
import { checkContainerPorts, checkIngressBackends, checkScrapePorts, checkServicePorts } from './ports.js';
import { checkPostgresCluster, readPostgresManifests } from './postgres.js';
import { type SectionResult, section } from './report.js';
import { validateSchemas } from './schemas.js';
import { checkRoleSettings, loadSettingsContract, type SettingsContract } from './settings.js';
import { checkSigningKeys } from './signing-keys.js';

/** Where the check looks. */
export interface CheckOptions {
  /** Holds deploy/, docs/runbook.md, Dockerfile and .dockerignore. */
  root: string;
  /** Holds src/, whose metrics.ts modules and config.ts say what the code exports and reads (default `root`). */
  codeRoot?: string;
}

/** Runs every section and returns their results in print order. */
export async function runDeployCheck(options: CheckOptions): Promise<SectionResult[]> {
  const { root } = options;
  const srcDir = path.join(options.codeRoot ?? root, 'src');
  const runbookFile = path.join(root, 'docs', 'runbook.md');
  const monitoringDir = path.join(root, 'deploy', 'monitoring');

  const image = section('Dockerfile: multi-stage, pinned, production dependencies only, non-root, gx entrypoint');
  image.errors.push(...checkDockerfile(root));

  const {
    sections: overlaySections,
    overlays,
    environments,
  } = await checkOverlays(path.join(root, 'deploy', 'k8s', 'overlays'), srcDir);
  const drift = checkDrift(path.join(root, 'deploy', 'k8s', 'allowed-differences.yaml'), overlays, environments);
  const reference = overlays.find((overlay) => overlay.environment === 'devnet') ?? overlays[0];
  const postgres = await checkPostgres(path.join(root, 'deploy', 'k8s', 'postgres'), reference?.objects);

  const jobs = reference ? scrapeJobs(reference.objects) : undefined;
  const rules = readAlertRules(path.join(monitoringDir, 'alert-rules.yaml'), runbookFile);
  const ruleQueries = checkQueries(rules.queries, undefined, jobs);
  const alerts = section(
    'alert rules: PromQL parses, jobs exist, severity, runbook sections exist, required metrics covered',
  );
  alerts.notes.push(`${rules.queries.length} rules`);
  alerts.errors.push(...rules.errors, ...ruleQueries.errors, ...checkAlertCoverage(ruleQueries.metrics));

  const dashboard = readDashboard(path.join(monitoringDir, 'grafana-dashboard.json'));
  const board = section('Grafana dashboard: JSON, unique panel ids, PromQL parses, jobs exist');
  board.notes.push(`${dashboard.queries.length} queries`);
  board.errors.push(...dashboard.errors, ...checkQueries(dashboard.queries, undefined, jobs).errors);

  const exported = await checkExportedMetrics(srcDir, [...rules.queries, ...dashboard.queries], runbookFile);
  return [image, ...overlaySections, drift, postgres, alerts, board, exported];
}

/** Renders the overlays in parallel, then validates each one. */
async function checkOverlays(
  overlaysDir: string,
  srcDir: string,
): Promise<{ sections: SectionResult[]; overlays: RenderedOverlay[]; environments: string[] }> {
  const environments = listOverlays(overlaysDir);
  if (environments.length === 0) {
    return {
      sections: [{ ...section('overlays'), errors: [`no overlays in ${overlaysDir}`] }],
      overlays: [],
      environments,
    };
  }
  const [settings, ...rendered] = await Promise.all([
    loadSettingsContract(srcDir).catch(asError),
    ...environments.map((environment) => {
      const directory = path.join(overlaysDir, environment);
      return renderKustomization(directory)
        .then((objects): RenderedOverlay => ({ environment, directory, objects }))
        .catch(asError);
    }),
  ]);
  const sections: SectionResult[] = [];
  const overlays: RenderedOverlay[] = [];
  for (const [index, environment] of environments.entries()) {
    const result = rendered[index];
    const overlay = section(
      `overlay ${environment}: renders, matches the Kubernetes schemas, ports agree, pod policy, settings the code accepts, signing keys only in the submitter`,
    );
    if (result === undefined || result instanceof Error) {
      overlay.errors.push(result?.message ?? 'not rendered');
    } else {
      overlays.push(result);
      overlay.notes.push(`${result.objects.length} objects`);
      overlay.errors.push(...(await validateOverlay(result.objects, settings)));
    }
    sections.push(overlay);
  }
  return { sections, overlays, environments };
}

async function validateOverlay(objects: readonly KubeObject[], settings: SettingsContract | Error): Promise<string[]> {
  return [
    ...(await validateSchemas(objects)),
    ...checkServicePorts(objects),
    ...checkContainerPorts(objects),
    ...checkScrapePorts(objects),
    ...checkIngressBackends(objects),
    ...checkPodPolicy(objects),
    ...checkSigningKeys(objects),
    ...(settings instanceof Error
      ? [`could not load src/config.ts: ${settings.message}`]
      : checkRoleSettings(objects, settings)),
  ];
}

function checkDrift(
  allowedFile: string,
  overlays: readonly RenderedOverlay[],
  environments: readonly string[],
): SectionResult {
  const drift = section(`per-environment differences (${environments.join(', ')})`);
  if (overlays.length !== environments.length) drift.errors.push('not compared: an overlay failed to render');
  else if (overlays.length > 1) {
    const allowed = loadAllowedDifferences(allowedFile);
    const judged = judgeDifferences(compareOverlays(overlays, allowed));
    drift.notes.push(...judged.notes);
    drift.errors.push(...judged.errors, ...checkEnvironmentValues(overlays, allowed));
  }
  return drift;
}

async function checkPostgres(directory: string, overlay: readonly KubeObject[] | undefined): Promise<SectionResult> {
  const postgres = section('PostgreSQL: the CloudNativePG cluster provides the Service and Secret the roles use');
  if (overlay) postgres.errors.push(...checkPostgresCluster(directory, overlay));
  // Kinds without an installed schema (the CloudNativePG Cluster) are checked by checkPostgresCluster alone.
  const standard = readPostgresManifests(directory).filter((object) => !object.apiVersion.includes('cnpg.io'));
  postgres.errors.push(...(await validateSchemas(standard)));
  return postgres;
}

async function checkExportedMetrics(
  srcDir: string,
  queries: readonly Query[],
  runbookFile: string,
): Promise<SectionResult> {
  const exported = section(
    'every metric the rules, the dashboard and the runbook name is registered by src/**/metrics.ts',
  );
  try {
    const metrics = await loadExportedMetrics(srcDir);
    exported.errors.push(
      ...checkQueries(queries, metrics).errors.filter((error) => error.includes('no src/**/metrics.ts')),
      ...metricsNamedIn(readFileSync(runbookFile, 'utf8'))
        .filter((metric) => !isExported(metric, metrics))
        .map((metric) => `docs/runbook.md: names ${metric}, which no src/**/metrics.ts registers`),
    );
  } catch (error) {
    exported.errors.push(`could not load the code's metrics: ${asError(error).message}`);
  }
  return exported;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
