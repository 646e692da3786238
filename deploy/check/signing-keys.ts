/**
 * Keys only where they sign: the API and the projector never sign a transaction (ARCHITECTURE decision 12),
 * so no signing key may reach their pods. Only the submitter holds the backend's signing identities; the API
 * and the projector get the read-only `reader` identity (gx.role=reader, which the chaincode refuses for
 * every write).
 *
 * Secrets are created outside the manifests (deploy/README.md), so a signing key is recognised by where it
 * comes from: a Secret named `gx-fabric-identity-<role>` for any role but `reader` (or the single
 * `gx-fabric-identity` of earlier versions, which held a signing key), or a variable holding a signing role's
 * key (`GX_FABRIC_<ROLE>_KEY`, the old `GX_FABRIC_CLIENT_KEY`).
 */
import { describe, type KubeObject } from './manifests.js';
import { configMapsOf, gxRoleOf, workloadsOf } from './workloads.js';

/** The gx roles that must hold no signing key (the scheduler only enqueues: the submitter signs its commands). */
const readOnlyRoles: ReadonlySet<string> = new Set(['api', 'projector', 'scheduler']);

/** The Secret holding the read-only identity, the one identity the read-only roles may mount. */
export const readerSecret = 'gx-fabric-identity-reader';

/** Whether a Secret of this name holds a signing key. */
export function isSigningSecret(name: string): boolean {
  return (name === 'gx-fabric-identity' || name.startsWith('gx-fabric-identity-')) && name !== readerSecret;
}

/** Whether a variable of this name holds (the path to) a signing role's private key. */
export function isSigningKeyVariable(name: string): boolean {
  const match = /^GX_FABRIC_([A-Z_]+)_KEY$/.exec(name);
  return match !== null && match[1] !== 'READER';
}

interface SecretVolume {
  name: string;
  secret?: { secretName?: string };
  projected?: { sources?: Array<{ secret?: { name?: string } }> };
}
interface EnvSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface EnvVar {
  name: string;
  valueFrom?: { secretKeyRef?: { name?: string } };
}
interface RawContainer {
  name: string;
  envFrom?: EnvSource[];
  env?: EnvVar[];
  volumeMounts?: Array<{ name: string }>;
}

/** Returns one message per signing key that reaches an API or projector container. */
export function checkSigningKeys(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  const configMaps = configMapsOf(objects);
  for (const { object, template } of workloadsOf(objects)) {
    const volumes = new Map(
      ((template.spec.volumes ?? []) as SecretVolume[]).map((volume) => [volume.name, secretsOf(volume)]),
    );
    for (const container of template.spec.containers) {
      const role = gxRoleOf(container);
      if (role === undefined || !readOnlyRoles.has(role)) continue;
      const where = `${describe(object)} container ${container.name} (gx ${role}, which never signs)`;
      const raw = container as unknown as RawContainer;
      for (const mount of raw.volumeMounts ?? []) {
        for (const secret of (volumes.get(mount.name) ?? []).filter(isSigningSecret)) {
          errors.push(`${where}: mounts Secret ${secret} (volume ${mount.name}), a signing identity`);
        }
      }
      for (const source of raw.envFrom ?? []) {
        if (source.secretRef && isSigningSecret(source.secretRef.name)) {
          errors.push(`${where}: takes its environment from Secret ${source.secretRef.name}, a signing identity`);
        }
        const data = source.configMapRef ? configMaps.get(source.configMapRef.name) : undefined;
        for (const name of Object.keys(data ?? {}).filter(isSigningKeyVariable)) {
          errors.push(`${where}: gets ${name} from ConfigMap ${source.configMapRef?.name}, a signing key`);
        }
      }
      for (const variable of raw.env ?? []) {
        const secret = variable.valueFrom?.secretKeyRef?.name;
        if (isSigningKeyVariable(variable.name)) errors.push(`${where}: sets ${variable.name}, a signing key`);
        else if (secret !== undefined && isSigningSecret(secret)) {
          errors.push(`${where}: reads ${variable.name} from Secret ${secret}, a signing identity`);
        }
      }
    }
  }
  return errors;
}

function secretsOf(volume: SecretVolume): string[] {
  const names = [volume.secret?.secretName, ...(volume.projected?.sources ?? []).map((source) => source.secret?.name)];
  return names.filter((name): name is string => name !== undefined);
}
