/**
 * The parts of workloads and Services the checks read, typed loosely on purpose: the schema validation has
 * already vouched for their shapes, and these checks must not crash on an object they were not written for.
 */
import type { KubeObject } from './manifests.js';

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
}

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: ContainerPort[];
  env?: Array<{ name: string; value?: string }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type?: string };
  };
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    automountServiceAccountToken?: boolean;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
    volumes?: Array<Record<string, unknown> & { name: string }>;
  };
}

/** A workload and the pod template it runs. */
export interface Workload {
  object: KubeObject;
  template: PodTemplate;
}

/** Every ConfigMap's data, by name (where containers' `envFrom` and `valueFrom` point). */
export function configMapsOf(objects: readonly KubeObject[]): Map<string, Record<string, string>> {
  return new Map(
    objects
      .filter((object) => object.kind === 'ConfigMap')
      .map((object) => [object.metadata.name, (object.data ?? {}) as Record<string, string>]),
  );
}

/** Every object in `objects` that runs pods, with its pod template. */
export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  const workloads: Workload[] = [];
  for (const object of objects) {
    const spec = object.spec as Record<string, unknown> | undefined;
    let template: unknown;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(object.kind))
      template = spec?.template;
    else if (object.kind === 'CronJob')
      template = (spec?.jobTemplate as { spec?: { template?: unknown } } | undefined)?.spec?.template;
    else if (object.kind === 'Pod') template = { metadata: object.metadata, spec };
    if (isPodTemplate(template)) workloads.push({ object, template });
  }
  return workloads;
}

function isPodTemplate(value: unknown): value is PodTemplate {
  const spec = (value as { spec?: { containers?: unknown } } | undefined)?.spec;
  return Array.isArray(spec?.containers);
}

/** The Services among `objects`. */
export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

export interface Service {
  object: KubeObject;
  selector: Record<string, string> | undefined;
  ports: ServicePort[];
}

export function servicesOf(objects: readonly KubeObject[]): Service[] {
  return objects
    .filter((object) => object.kind === 'Service' && object.apiVersion === 'v1')
    .map((object) => {
      const spec = (object.spec ?? {}) as { selector?: Record<string, string>; ports?: ServicePort[] };
      return { object, selector: spec.selector, ports: spec.ports ?? [] };
    });
}

/** Whether a label selector (matchLabels form) selects a pod with `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The `gx` roles a container of the backend image runs (its first argument). */
const gxRoles: ReadonlySet<string> = new Set([
  'api',
  'submitter',
  'projector',
  'scheduler',
  'migrate',
  'devnet',
  'dev',
]);

/** The `gx` role `container` runs, or undefined for containers of other images (the chaincode server). */
export function gxRoleOf(container: Container): string | undefined {
  const role = container.args?.[0];
  return role !== undefined && gxRoles.has(role) ? role : undefined;
}
