/**
 * The optional CloudNativePG cluster (deploy/k8s/postgres/) against what the roles expect: the operator names
 * the read-write Service `<cluster>-rw` and the owner's Secret `<cluster>-app` (keys username, password), which
 * only `gx migrate` reads; each other role logs in as a managed login role in its group role (migration 0007)
 * through a Secret of its own. The cluster's name, PGHOST, the roles and the Secrets the pods read must agree.
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

/**
 * The database role each workload's login must be a member of (migration 0007, README "Database roles"); the
 * migrate Job logs in as the owner, CloudNativePG's `<cluster>-app`.
 */
const DATABASE_ROLE_OF_WORKLOAD: Readonly<Record<string, string>> = {
  'gx-migrate': 'owner',
  'gx-api': 'gx_api',
  'gx-submitter': 'gx_submitter',
  'gx-projector': 'gx_projector',
  'gx-scheduler': 'gx_api',
};

interface ManagedRole {
  name: string;
  login?: boolean;
  inRoles?: string[];
  passwordSecret?: { name?: string };
}

/** The Secret each workload reads PGUSER/PGPASSWORD from, by workload name. */
function databaseSecretsOf(overlay: readonly KubeObject[]): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const { object, template } of workloadsOf(overlay)) {
    for (const container of template.spec.containers) {
      const env = (container as unknown as { env?: Array<{ name: string; valueFrom?: SecretSource }> }).env ?? [];
      for (const variable of env) {
        const secret = variable.valueFrom?.secretKeyRef?.name;
        if (!secret || (variable.name !== 'PGUSER' && variable.name !== 'PGPASSWORD')) continue;
        const names = secrets.get(object.metadata.name) ?? new Set<string>();
        names.add(secret);
        secrets.set(object.metadata.name, names);
      }
    }
  }
  return secrets;
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
  const secrets = databaseSecretsOf(overlay);
  const errors: string[] = [];
  for (const cluster of clusters) {
    const name = cluster.metadata.name;
    const spec = cluster.spec as { instances?: number; managed?: { roles?: ManagedRole[] } } | undefined;
    if ((spec?.instances ?? 1) < 2) errors.push(`Cluster/${name}: fewer than 2 instances is not highly available`);
    if (pgHost !== `${name}-rw`) errors.push(`Cluster/${name}: PGHOST is ${pgHost ?? 'unset'}, not ${name}-rw`);
    const roles = spec?.managed?.roles ?? [];
    for (const [workload, role] of Object.entries(DATABASE_ROLE_OF_WORKLOAD)) {
      const read = [...(secrets.get(workload) ?? [])];
      if (read.length === 0) continue;
      if (role === 'owner') {
        if (read.length !== 1 || read[0] !== `${name}-app`) {
          errors.push(`Cluster/${name}: ${workload} reads credentials from ${read.join(', ')}, not ${name}-app`);
        }
        continue;
      }
      const group = roles.find((candidate) => candidate.name === role);
      if (group?.login !== false) errors.push(`Cluster/${name}: managed.roles lacks the NOLOGIN group role ${role}`);
      for (const secret of read) {
        const login = roles.find((candidate) => candidate.passwordSecret?.name === secret);
        if (!login?.login || !login.inRoles?.includes(role)) {
          errors.push(
            `Cluster/${name}: ${workload} reads credentials from ${secret}, which is no managed login role in ${role}`,
          );
        }
      }
    }
  }
  return errors;
}
