/** The signing-key rule of the deployment check on hand-made workloads: every way a key can reach a pod. */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../deploy/check/manifests.js';
import { checkSigningKeys, isSigningKeyVariable, isSigningSecret } from '../../deploy/check/signing-keys.js';

function workload(
  name: string,
  role: string,
  container: Record<string, unknown>,
  volumes: Array<Record<string, unknown>> = [],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      template: {
        spec: {
          containers: [{ name: role, image: 'registry/gx-backend:1.0.0', args: [role], ...container }],
          volumes,
        },
      },
    },
  };
}
const secretVolume = (name: string, secretName: string) => ({ name, secret: { secretName } });

describe('signing keys only where they sign', () => {
  it('accepts the reader identity in the API and projector and every identity in the submitter', () => {
    const reader = secretVolume('fabric-reader', 'gx-fabric-identity-reader');
    const env = [{ name: 'GX_FABRIC_READER_KEY', value: '/var/run/gx/fabric/reader/key.pem' }];
    const objects = [
      workload('gx-api', 'api', { env, volumeMounts: [{ name: 'fabric-reader' }] }, [reader]),
      workload('gx-projector', 'projector', { env, volumeMounts: [{ name: 'fabric-reader' }] }, [reader]),
      workload(
        'gx-submitter',
        'submitter',
        { env: [{ name: 'GX_FABRIC_TRANSFER_KEY', value: '/k' }], volumeMounts: [{ name: 'transfer' }] },
        [secretVolume('transfer', 'gx-fabric-identity-transfer')],
      ),
    ];
    expect(checkSigningKeys(objects)).toEqual([]);
  });

  it('fails a signing Secret mounted, projected, or read as environment by the API or the projector', () => {
    const objects = [
      workload('gx-api', 'api', { volumeMounts: [{ name: 'keys' }] }, [
        secretVolume('keys', 'gx-fabric-identity-transfer'),
      ]),
      workload('gx-projector', 'projector', { volumeMounts: [{ name: 'all' }] }, [
        { name: 'all', projected: { sources: [{ secret: { name: 'gx-fabric-identity-registrar' } }] } },
      ]),
      workload('gx-api-2', 'api', {
        envFrom: [{ secretRef: { name: 'gx-fabric-identity-super-admin' } }],
        env: [{ name: 'PEM', valueFrom: { secretKeyRef: { name: 'gx-fabric-identity', key: 'key.pem' } } }],
      }),
    ];
    expect(checkSigningKeys(objects)).toEqual([
      'Deployment/gx-api container api (gx api, which never signs): mounts Secret gx-fabric-identity-transfer (volume keys), a signing identity',
      'Deployment/gx-projector container projector (gx projector, which never signs): mounts Secret gx-fabric-identity-registrar (volume all), a signing identity',
      'Deployment/gx-api-2 container api (gx api, which never signs): takes its environment from Secret gx-fabric-identity-super-admin, a signing identity',
      'Deployment/gx-api-2 container api (gx api, which never signs): reads PEM from Secret gx-fabric-identity, a signing identity',
    ]);
  });

  it('fails a signing role key variable given to the API or the projector, inline or from a ConfigMap', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gx-config' },
      data: { GX_FABRIC_ADMIN_KEY: '/var/run/gx/fabric/admin/key.pem' },
    };
    const objects = [
      configMap,
      workload('gx-projector', 'projector', { envFrom: [{ configMapRef: { name: 'gx-config' } }] }),
      workload('gx-api', 'api', { env: [{ name: 'GX_FABRIC_CLIENT_KEY', value: '-----BEGIN PRIVATE KEY-----' }] }),
    ];
    expect(checkSigningKeys(objects)).toEqual([
      'Deployment/gx-projector container projector (gx projector, which never signs): gets GX_FABRIC_ADMIN_KEY from ConfigMap gx-config, a signing key',
      'Deployment/gx-api container api (gx api, which never signs): sets GX_FABRIC_CLIENT_KEY, a signing key',
    ]);
  });

  it('tells signing Secrets and variables from the reader and unrelated ones', () => {
    expect(isSigningSecret('gx-fabric-identity-reader')).toBe(false);
    expect(isSigningSecret('gx-fabric-tls-ca')).toBe(false);
    expect(isSigningSecret('gx-fabric-identity-admin')).toBe(true);
    expect(isSigningKeyVariable('GX_FABRIC_READER_KEY')).toBe(false);
    expect(isSigningKeyVariable('GX_FABRIC_SUPER_ADMIN_KEY')).toBe(true);
    expect(isSigningKeyVariable('GX_FABRIC_SUPER_ADMIN_CERT')).toBe(false);
  });
});
