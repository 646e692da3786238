/**
 * What every pod of the backend must be, whatever the environment: non-root, no privilege escalation, no
 * capabilities, read-only root, bounded resources, health probes on the roles' endpoints, a pinned image.
 * Pod Security "restricted" enforces part of this at admission; this check catches it before anyone applies.
 */
import type { KubeObject } from './manifests.js';
import { describe } from './manifests.js';
import { type Container, gxRoleOf, workloadsOf } from './workloads.js';

/** The volume types Pod Security "restricted" admits. */
const restrictedVolumeTypes: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Returns one message per broken rule. */
export function checkPodPolicy(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  for (const { object, template } of workloadsOf(objects)) {
    const pod = template.spec;
    const podSecurity = pod.securityContext ?? {};
    if (pod.automountServiceAccountToken !== false) {
      errors.push(`${describe(object)}: automountServiceAccountToken must be false (the backend never calls the API)`);
    }
    for (const volume of pod.volumes ?? []) {
      const type = Object.keys(volume).find((key) => key !== 'name');
      if (type && !restrictedVolumeTypes.has(type)) {
        errors.push(`${describe(object)}: volume ${volume.name} is a ${type}, which Pod Security "restricted" forbids`);
      }
    }
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const where = `${describe(object)} container ${container.name}`;
      const security = container.securityContext ?? {};
      if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
        errors.push(`${where}: runAsNonRoot is not true`);
      if ((security.runAsUser ?? podSecurity.runAsUser) === 0) errors.push(`${where}: runs as uid 0`);
      if (security.allowPrivilegeEscalation !== false) errors.push(`${where}: allowPrivilegeEscalation is not false`);
      if (security.privileged === true) errors.push(`${where}: is privileged`);
      if (security.readOnlyRootFilesystem !== true) errors.push(`${where}: readOnlyRootFilesystem is not true`);
      if (!(security.capabilities?.drop ?? []).includes('ALL')) errors.push(`${where}: does not drop ALL capabilities`);
      if ((security.capabilities?.add ?? []).length > 0) errors.push(`${where}: adds capabilities`);
      const seccomp = security.seccompProfile?.type ?? podSecurity.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
        errors.push(`${where}: seccompProfile must be RuntimeDefault (or Localhost)`);
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!container.resources?.[kind]?.[resource]) errors.push(`${where}: no ${resource} ${kind.slice(0, -1)}`);
        }
      }
      errors.push(...checkImage(where, container));
      if (/\/gx-backend[:@]/.test(container.image ?? '') && gxRoleOf(container) === undefined) {
        errors.push(
          `${where}: runs the backend image without a gx role as its first argument (${container.args?.[0]})`,
        );
      }
      if (object.kind === 'Deployment') errors.push(...checkProbes(where, container));
    }
  }
  return errors;
}

function checkImage(where: string, container: Container): string[] {
  const image = container.image ?? '';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@sha256:')) return [];
  if (!lastSegment.includes(':')) return [`${where}: image ${image || '(none)'} has no tag or digest`];
  if (lastSegment.endsWith(':latest')) return [`${where}: image ${image} uses the mutable tag latest`];
  return [];
}

/** `gx` roles serve /livez and /readyz; other servers (the chaincode) need some liveness and readiness probe. */
function checkProbes(where: string, container: Container): string[] {
  const errors: string[] = [];
  if (gxRoleOf(container) === undefined) {
    if (!container.livenessProbe) errors.push(`${where}: no livenessProbe`);
    if (!container.readinessProbe) errors.push(`${where}: no readinessProbe`);
    return errors;
  }
  if (container.livenessProbe?.httpGet?.path !== '/livez') errors.push(`${where}: livenessProbe must GET /livez`);
  if (container.readinessProbe?.httpGet?.path !== '/readyz') errors.push(`${where}: readinessProbe must GET /readyz`);
  return errors;
}
