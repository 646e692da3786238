/**
 * Validation against the Kubernetes OpenAPI schemas (and the Prometheus Operator's CRD schemas), through the
 * generated validators of `kubernetes-models`. A kind without a known schema is an error, not a pass: an
 * object nobody can validate is exactly where drift hides.
 */
import type { KubeObject } from './manifests.js';
import { describe } from './manifests.js';

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: object) => ValidatingModel;

/** API groups whose models are installed, and the package that holds them. */
const modelPackages: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com',
};

function modulePath(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return `kubernetes-models/${apiVersion}/${kind}`; // the core group: "v1"
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const base = modelPackages[group] ?? `kubernetes-models/${group}`;
  return `${base}/${version}/${kind}`;
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const module = (await import(modulePath(apiVersion, kind))) as Record<string, unknown>;
    const model = module[kind];
    return typeof model === 'function' ? (model as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

/** Validates every object; returns one message per invalid or unknown object. */
export async function validateSchemas(objects: readonly KubeObject[]): Promise<string[]> {
  const errors: string[] = [];
  const models = new Map<string, Promise<ModelClass | undefined>>();
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    if (!models.has(key)) models.set(key, loadModel(object.apiVersion, object.kind));
    const Model = await models.get(key);
    if (!Model) {
      errors.push(`${describe(object)}: no schema known for ${key}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      errors.push(`${describe(object)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return errors;
}
