/**
 * Rendering the kustomize overlays. kubectl's built-in kustomize is used because no kustomize ships on npm;
 * it renders offline, and the same binary is what `kubectl apply -k` uses, so the check sees what is applied.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** One rendered overlay. */
export interface RenderedOverlay {
  environment: string;
  directory: string;
  objects: KubeObject[];
}

/** The overlays under `overlaysDir`: every directory holding a kustomization.yaml, sorted by name. */
export function listOverlays(overlaysDir: string): string[] {
  return readdirSync(overlaysDir)
    .filter((entry) => statSync(path.join(overlaysDir, entry)).isDirectory())
    .filter((entry) => {
      try {
        return statSync(path.join(overlaysDir, entry, 'kustomization.yaml')).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

/** Renders one kustomization directory with `kubectl kustomize`; throws with kustomize's message on failure. */
export async function renderKustomization(directory: string): Promise<KubeObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', directory], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('kubectl is not installed (it renders the kustomize overlays)');
    throw new Error(`kubectl kustomize ${directory} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
  return parseManifests(stdout, directory);
}

/** Parses a multi-document YAML stream into objects, rejecting anything that is not a Kubernetes object. */
export function parseManifests(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value))
      throw new Error(`${source}: a document is not a Kubernetes object (apiVersion/kind/name)`);
    objects.push(value);
  }
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  const metadata = candidate.metadata as Record<string, unknown> | undefined;
  return (
    typeof candidate.apiVersion === 'string' &&
    typeof candidate.kind === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof metadata.name === 'string'
  );
}

/** `Kind/name` (with the namespace when there is one): how messages name an object. */
export function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
