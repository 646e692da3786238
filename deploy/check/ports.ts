/**
 * Ports that must agree across objects. The old deployment had a Service pointing at a port its container
 * did not listen on; these checks make that impossible to apply unnoticed.
 */
import type { KubeObject } from './manifests.js';
import { describe } from './manifests.js';
import { type Container, type Probe, selects, servicesOf, workloadsOf } from './workloads.js';

/** Environment variables that tell a `gx` role where to listen, and the container port name they must match. */
const listenVariables: Record<string, string> = { GX_HTTP_PORT: 'http', GX_METRICS_PORT: 'metrics' };

function listensOn(containers: readonly Container[], target: number | string): boolean {
  return containers.some((container) =>
    (container.ports ?? []).some((port) =>
      typeof target === 'number' ? port.containerPort === target : port.name === target,
    ),
  );
}

function portList(containers: readonly Container[]): string {
  const ports = containers.flatMap((container) =>
    (container.ports ?? []).map((port) => `${port.name ?? '(unnamed)'}=${port.containerPort}`),
  );
  return ports.length > 0 ? ports.join(', ') : 'none';
}

/** Every Service port reaches a port that the containers of every workload it selects declare. */
export function checkServicePorts(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  const workloads = workloadsOf(objects);
  for (const service of servicesOf(objects)) {
    if (!service.selector || Object.keys(service.selector).length === 0) continue; // endpoints managed by hand
    const selector = service.selector;
    const namespace = service.object.metadata.namespace;
    const targets = workloads.filter(
      (workload) =>
        workload.object.metadata.namespace === namespace &&
        workload.object.kind !== 'Job' &&
        selects(selector, workload.template.metadata?.labels),
    );
    if (targets.length === 0) {
      errors.push(`${describe(service.object)} selects no pods (selector ${JSON.stringify(selector)})`);
      continue;
    }
    for (const port of service.ports) {
      const target = port.targetPort ?? port.port;
      for (const workload of targets) {
        const containers = workload.template.spec.containers;
        if (!listensOn(containers, target)) {
          errors.push(
            `${describe(service.object)} port ${port.name ?? port.port} sends to targetPort ${target}, ` +
              `but no container of ${describe(workload.object)} declares it (its ports: ${portList(containers)})`,
          );
        }
      }
    }
  }
  return errors;
}

/** Probes use declared ports, and a role's listen variable equals the containerPort of the same name. */
export function checkContainerPorts(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  for (const workload of workloadsOf(objects)) {
    for (const container of workload.template.spec.containers) {
      const where = `${describe(workload.object)} container ${container.name}`;
      for (const [kind, probe] of Object.entries(probesOf(container))) {
        const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
        if (port !== undefined && !listensOn([container], port)) {
          errors.push(`${where}: ${kind} probes port ${port}, which the container does not declare`);
        }
      }
      for (const variable of container.env ?? []) {
        const portName = listenVariables[variable.name];
        if (!portName || variable.value === undefined) continue;
        const declared = (container.ports ?? []).find((port) => port.name === portName);
        if (!declared) {
          errors.push(`${where}: sets ${variable.name} but declares no port named ${portName}`);
        } else if (Number(variable.value) !== declared.containerPort) {
          errors.push(
            `${where}: listens on ${variable.name}=${variable.value} but port ${portName} is ${declared.containerPort}`,
          );
        }
      }
    }
  }
  return errors;
}

function probesOf(container: Container): Record<string, Probe> {
  const probes: Record<string, Probe> = {};
  if (container.livenessProbe) probes.liveness = container.livenessProbe;
  if (container.readinessProbe) probes.readiness = container.readinessProbe;
  if (container.startupProbe) probes.startup = container.startupProbe;
  return probes;
}

/** ServiceMonitor endpoints name ports that a selected Service has. */
export function checkScrapePorts(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  const services = servicesOf(objects);
  for (const monitor of objects.filter((object) => object.kind === 'ServiceMonitor')) {
    const spec = monitor.spec as {
      selector?: { matchLabels?: Record<string, string> };
      endpoints?: Array<{ port?: string }>;
    };
    const matchLabels = spec.selector?.matchLabels ?? {};
    const selected = services.filter(
      (service) =>
        service.object.metadata.namespace === monitor.metadata.namespace &&
        selects(matchLabels, service.object.metadata.labels),
    );
    if (selected.length === 0) errors.push(`${describe(monitor)} selects no Service`);
    for (const endpoint of spec.endpoints ?? []) {
      if (endpoint.port && !selected.some((service) => service.ports.some((port) => port.name === endpoint.port))) {
        errors.push(`${describe(monitor)} scrapes port ${endpoint.port}, which no selected Service has`);
      }
    }
  }
  return errors;
}

interface IngressBackend {
  service?: { name?: string; port?: { name?: string; number?: number } };
}

/** Every Ingress backend names a Service of the same namespace and a port that Service has. */
export function checkIngressBackends(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  const services = servicesOf(objects);
  for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
    const spec = ingress.spec as {
      defaultBackend?: IngressBackend;
      rules?: Array<{ http?: { paths?: Array<{ path?: string; backend?: IngressBackend }> } }>;
    };
    const backends = [
      ...(spec.defaultBackend ? [{ path: '(default)', backend: spec.defaultBackend }] : []),
      ...(spec.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).map((path) => ({ path: path.path ?? '/', backend: path.backend ?? {} })),
      ),
    ];
    for (const { path, backend } of backends) {
      const target = backend.service;
      if (!target?.name) continue;
      const service = services.find(
        (candidate) =>
          candidate.object.metadata.name === target.name &&
          candidate.object.metadata.namespace === ingress.metadata.namespace,
      );
      const port = target.port?.name ?? target.port?.number;
      if (!service) errors.push(`${describe(ingress)} ${path}: no Service ${target.name}`);
      else if (!service.ports.some((candidate) => candidate.name === port || candidate.port === port)) {
        errors.push(`${describe(ingress)} ${path}: Service ${target.name} has no port ${port}`);
      }
    }
  }
  return errors;
}
