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

/** Writes the settings atomically (readers never see half a file); returns the file's path. */
export async function writeConnectionEnv(devnet: Devnet, dataDir: string): Promise<string> {
  const crypto = path.join(dataDir, 'devnet', 'crypto');
  const env = devnet.env();
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
  const file = connectionEnvPath(dataDir);
  const text = Object.entries(lines)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
  return file;
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
