/**
 * The optional CloudNativePG cluster (deploy/k8s/postgres/) against what the roles expect: the operator names
 * the read-write Service `<cluster>-rw` and the application Secret `<cluster>-app` (keys username, password),
 * so the cluster's name, PGHOST and the Secret the pods read must agree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from './manifests.js';
import { parseManifests } from './manifests.js';
import { workloadsOf } from './workloads.js';

interface SecretSource {
  secretKeyRef?: { name?: string; key?: string };
}

/** The objects of the PostgreSQL manifests (every YAML file but the kustomization). */
export function readPostgresManifests(directory: string): KubeObject[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort()
    .flatMap((file) => parseManifests(readFileSync(path.join(directory, file), 'utf8'), file));
}

/** Returns one message per disagreement between the cluster manifests and a rendered overlay. */
export function checkPostgresCluster(directory: string, overlay: readonly KubeObject[]): string[] {
  if (!existsSync(directory)) return [];
  const clusters = readPostgresManifests(directory).filter(
    (object) => object.apiVersion.startsWith('postgresql.cnpg.io/') && object.kind === 'Cluster',
  );
  if (clusters.length === 0) return [`${directory}: no CloudNativePG Cluster`];
  const config = overlay.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('gx-config'));
  const pgHost = (config?.data as Record<string, string> | undefined)?.PGHOST;
  const secrets = new Set<string>();
  for (const { template } of workloadsOf(overlay)) {
    for (const container of template.spec.containers) {
      const env = (container as unknown as { env?: Array<{ name: string; valueFrom?: SecretSource }> }).env ?? [];
      for (const variable of env) {
        const secret = variable.valueFrom?.secretKeyRef?.name;
        if (secret && (variable.name === 'PGUSER' || variable.name === 'PGPASSWORD')) secrets.add(secret);
      }
    }
  }
  const errors: string[] = [];
  for (const cluster of clusters) {
    const name = cluster.metadata.name;
    const spec = cluster.spec as { instances?: number } | undefined;
    if ((spec?.instances ?? 1) < 2) errors.push(`Cluster/${name}: fewer than 2 instances is not highly available`);
    if (pgHost !== `${name}-rw`) errors.push(`Cluster/${name}: PGHOST is ${pgHost ?? 'unset'}, not ${name}-rw`);
    if (!secrets.has(`${name}-app`)) {
      errors.push(
        `Cluster/${name}: the roles read credentials from ${[...secrets].join(', ') || 'nothing'}, not ${name}-app`,
      );
    }
  }
  return errors;
}
