/**
 * `<dataDir>/devnet/connection.env`: the GX_FABRIC_* settings of a running devnet, with paths to the PEM files
 * in its crypto folder, for a backend (or a test, or a benchmark) started separately.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FABRIC_ROLES, type FabricRole, fabricIdentityVariables } from '../config.js';
import { identityFiles, type PemIdentity } from './identities.js';
import type { Devnet, DevnetConnection } from './index.js';

/** Where `gx devnet` writes the connection settings for a data folder. */
export function connectionEnvPath(dataDir: string): string {
  return path.join(dataDir, 'devnet', 'connection.env');
}

/**
 * Where the settings of one peer organization are written: the first organization's in `connection.env`,
 * another's in `connection-<mspId>.env` beside it.
 */
export function organizationEnvPath(dataDir: string, mspId: string, first: boolean): string {
  return first ? connectionEnvPath(dataDir) : path.join(dataDir, 'devnet', `connection-${mspId}.env`);
}

/**
 * Writes each organization's settings atomically (readers never see half a file); returns the first
 * organization's file (`connection.env`).
 */
export async function writeConnectionEnv(devnet: Devnet, dataDir: string): Promise<string> {
  const files: string[] = [];
  for (const [index, organization] of devnet.organizations.entries()) {
    const file = organizationEnvPath(dataDir, organization.mspId, index === 0);
    await writeOne(organization.env(), organization.cryptoFolder, file);
    files.push(file);
  }
  return files[0] ?? connectionEnvPath(dataDir);
}

async function writeOne(env: Record<string, string>, crypto: string, file: string): Promise<void> {
  const lines = {
    ...env,
    ...(env.GX_FABRIC_TLS_CA ? { GX_FABRIC_TLS_CA: path.join(crypto, 'ca-cert.pem') } : {}),
    ...Object.fromEntries(
      FABRIC_ROLES.flatMap((role) => {
        const variables = fabricIdentityVariables(role);
        const files = identityFiles(crypto, role);
        return [
          [variables.cert, files.cert],
          [variables.key, files.key],
        ];
      }),
    ),
  };
  const text = Object.entries(lines)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/** Reads a connection.env and the PEM files it names back into a {@link DevnetConnection}. */
export async function readConnectionEnv(file: string): Promise<DevnetConnection> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.includes('='));
  const env = new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const value = (name: string) => {
    const found = env.get(name);
    if (found === undefined) throw new Error(`${file} lacks ${name}`);
    return found;
  };
  const pem = (name: string) => readFile(value(name), 'utf8');
  const tls = value('GX_FABRIC_TLS') === 'true';
  return {
    peerEndpoint: value('GX_FABRIC_PEER_ENDPOINT'),
    ...(tls ? { tlsCaPem: await pem('GX_FABRIC_TLS_CA'), tlsHostOverride: value('GX_FABRIC_TLS_HOST_OVERRIDE') } : {}),
    mspId: value('GX_FABRIC_MSP_ID'),
    channel: value('GX_FABRIC_CHANNEL'),
    identities: Object.fromEntries(
      await Promise.all(
        FABRIC_ROLES.map(async (role): Promise<[FabricRole, PemIdentity]> => {
          const variables = fabricIdentityVariables(role);
          return [role, { certPem: await pem(variables.cert), keyPem: await pem(variables.key) }];
        }),
      ),
    ) as Record<FabricRole, PemIdentity>,
  };
}
