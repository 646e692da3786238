/** The deployment check's building blocks on small hand-made inputs. */

import { describe, expect, it } from 'vitest';
import { compareOverlays, judgeDifferences, parseAllowedDifferences } from '../../deploy/check/drift.js';
import type { KubeObject } from '../../deploy/check/manifests.js';
import { isExported } from '../../deploy/check/metrics-contract.js';
import { checkQueries } from '../../deploy/check/monitoring.js';
import { checkPodPolicy } from '../../deploy/check/policy.js';
import { checkIngressBackends, checkServicePorts } from '../../deploy/check/ports.js';
import { parsePromQL, substituteGrafanaVariables } from '../../deploy/check/promql.js';
import { anchorsOf } from '../../deploy/check/runbook.js';

function deployment(port: { name: string; containerPort: number }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'n' },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', ports: [port] }] } } },
  };
}
function service(targetPort: number | string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'n' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort }] },
  };
}

describe('Service ports', () => {
  it('accept a target port by name or by number that the selected container declares', () => {
    const objects = [deployment({ name: 'http', containerPort: 3000 })];
    expect(checkServicePorts([...objects, service('http')])).toEqual([]);
    expect(checkServicePorts([...objects, service(3000)])).toEqual([]);
  });

  it('reject a target port the container does not declare, and a selector that selects nothing', () => {
    const objects = [deployment({ name: 'http', containerPort: 3000 })];
    expect(checkServicePorts([...objects, service(3001)])).toEqual([
      'Service/web port http sends to targetPort 3001, but no container of Deployment/web declares it (its ports: http=3000)',
    ]);
    const lonely = { ...service('http'), spec: { selector: { app: 'other' }, ports: [] } };
    expect(checkServicePorts([...objects, lonely])).toEqual(['Service/web selects no pods (selector {"app":"other"})']);
  });
});

describe('pod policy', () => {
  const pod = (container: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gx-api' },
    spec: {
      template: {
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'api',
              image: 'registry/gx-backend:1.2.3',
              args: ['api'],
              livenessProbe: { httpGet: { path: '/livez', port: 3000 } },
              readinessProbe: { httpGet: { path: '/readyz', port: 3000 } },
              resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              ...container,
            },
          ],
          ...extra,
        },
      },
    },
  });

  it('accepts a restricted, bounded, probed, pinned gx pod', () => {
    expect(checkPodPolicy([pod({})])).toEqual([]);
  });

  it('rejects the backend image started with something that is not a gx role', () => {
    expect(checkPodPolicy([pod({ args: ['submiter'] })])).toEqual([
      'Deployment/gx-api container api: runs the backend image without a gx role as its first argument (submiter)',
    ]);
  });

  it('names each broken rule', () => {
    const broken = pod(
      { image: 'registry/gx-backend:latest', securityContext: { capabilities: { add: ['NET_ADMIN'] } }, resources: {} },
      { securityContext: { runAsUser: 0 }, volumes: [{ name: 'host', hostPath: { path: '/' } }] },
    );
    expect(checkPodPolicy([broken])).toEqual([
      'Deployment/gx-api: volume host is a hostPath, which Pod Security "restricted" forbids',
      'Deployment/gx-api container api: runAsNonRoot is not true',
      'Deployment/gx-api container api: runs as uid 0',
      'Deployment/gx-api container api: allowPrivilegeEscalation is not false',
      'Deployment/gx-api container api: readOnlyRootFilesystem is not true',
      'Deployment/gx-api container api: does not drop ALL capabilities',
      'Deployment/gx-api container api: adds capabilities',
      'Deployment/gx-api container api: seccompProfile must be RuntimeDefault (or Localhost)',
      'Deployment/gx-api container api: no cpu request',
      'Deployment/gx-api container api: no memory request',
      'Deployment/gx-api container api: no cpu limit',
      'Deployment/gx-api container api: no memory limit',
      'Deployment/gx-api container api: image registry/gx-backend:latest uses the mutable tag latest',
    ]);
  });
});

describe('Ingress backends', () => {
  it('must name a Service port that exists', () => {
    const ingress = (port: string): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'n' },
      spec: {
        rules: [{ http: { paths: [{ path: '/api/', backend: { service: { name: 'web', port: { name: port } } } }] } }],
      },
    });
    expect(checkIngressBackends([service('http'), ingress('http')])).toEqual([]);
    expect(checkIngressBackends([service('http'), ingress('https')])).toEqual([
      'Ingress/web /api/: Service web has no port https',
    ]);
  });
});

describe('PromQL', () => {
  it('lists the metrics an expression selects, including by __name__', () => {
    expect(parsePromQL('sum(rate(a_total[5m])) / on (x) b offset 1h > 0 and {__name__="c"}')).toEqual({
      errors: [],
      metrics: ['a_total', 'b', 'c'],
      jobs: [],
    });
  });

  it('reports syntax errors', () => {
    expect(parsePromQL('sum(rate(a_total[5m])').errors).not.toEqual([]);
    expect(parsePromQL('max by (namespace (x)').errors).not.toEqual([]);
  });

  it('reports a range function given an instant vector, as promtool would', () => {
    expect(parsePromQL('sum(rate(a_total))').errors).toEqual([
      'rate() needs a range vector such as x[5m], got VectorSelector',
    ]);
    expect(parsePromQL('quantile_over_time(0.9, a[5m]) + rate(b[5m:1m]) + predict_linear(c[1h], 60)').errors).toEqual(
      [],
    );
  });

  it('parses Grafana queries once their variables are replaced', () => {
    const query = substituteGrafanaVariables('sum(rate(x{namespace="$namespace"}[$__rate_interval]))');
    expect(parsePromQL(query)).toEqual({ errors: [], metrics: ['x'], jobs: [] });
  });

  it('reports a job that no scraped Service is', () => {
    const queries = [{ where: 'rule A', expression: 'up{job=~"gx-api|gx-submiter"} == 0 or b{job="gx-projector"}' }];
    expect(parsePromQL(queries[0]?.expression ?? '').jobs).toEqual(['gx-api', 'gx-projector', 'gx-submiter']);
    expect(checkQueries(queries, undefined, new Set(['gx-api', 'gx-submitter', 'gx-projector'])).errors).toEqual([
      'rule A: selects job="gx-submiter", which no scraped Service is (jobs: gx-api, gx-submitter, gx-projector)',
    ]);
  });

  it('counts a histogram’s series as exported, and nothing else', () => {
    const exported = new Map([
      ['d_seconds', 'histogram'],
      ['g', 'gauge'],
    ]);
    expect(isExported('d_seconds_bucket', exported)).toBe(true);
    expect(isExported('g_bucket', exported)).toBe(false);
    expect(isExported('up', exported)).toBe(true);
    expect(isExported('unknown', exported)).toBe(false);
  });
});

describe('drift', () => {
  const allowed = parseAllowedDifferences(
    'allowed:\n  - path: ConfigMap/gx-config:data.GX_FABRIC_CHANNEL\n    why: each network has its own channel\n',
  );
  const config = (environment: string, data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `gx-config-${environment === 'a' ? 'bc2d4f6g8h' : 'kmt9b8c7d6'}`,
      namespace: `gx-${environment}`,
    },
    data,
  });

  it('allows the network settings to differ, ignoring namespaces and generated name hashes', () => {
    const differences = compareOverlays(
      [
        { environment: 'a', directory: '', objects: [config('a', { GX_FABRIC_CHANNEL: 'one', PGPORT: '5432' })] },
        { environment: 'b', directory: '', objects: [config('b', { GX_FABRIC_CHANNEL: 'two', PGPORT: '5432' })] },
      ],
      allowed,
    );
    expect(judgeDifferences(differences)).toEqual({
      notes: ['ConfigMap/gx-config:data.GX_FABRIC_CHANNEL  a=one  b=two'],
      errors: [],
    });
  });

  it('reports any other difference as drift', () => {
    const differences = compareOverlays(
      [
        { environment: 'a', directory: '', objects: [config('a', { PGPORT: '5432' })] },
        { environment: 'b', directory: '', objects: [config('b', { PGPORT: '6432' })] },
      ],
      allowed,
    );
    expect(judgeDifferences(differences).errors).toEqual([
      'drift: ConfigMap/gx-config:data.PGPORT differs (a=5432  b=6432); not an allowed per-environment difference',
    ]);
  });
});

describe('runbook anchors', () => {
  it('are the slugs GitHub gives headings', () => {
    expect([
      ...anchorsOf('# Top\n## Ledger unreachable or stale chaincode address\n### `gx migrate` fails!\n## Top'),
    ]).toEqual(['top', 'ledger-unreachable-or-stale-chaincode-address', 'gx-migrate-fails', 'top-1']);
  });
});
