/**
 * `<dataDir>/devnet/connection.env`: the GX_FABRIC_* settings of a running devnet, with paths to the PEM files
 * in its crypto folder, for a backend (or a test, or a benchmark) started separately.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
    GX_FABRIC_CLIENT_CERT: path.join(crypto, 'client-cert.pem'),
    GX_FABRIC_CLIENT_KEY: path.join(crypto, 'client-key.pem'),
    GX_FABRIC_ADMIN_CERT: path.join(crypto, 'admin-cert.pem'),
    GX_FABRIC_ADMIN_KEY: path.join(crypto, 'admin-key.pem'),
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
    client: { certPem: await pem('GX_FABRIC_CLIENT_CERT'), keyPem: await pem('GX_FABRIC_CLIENT_KEY') },
    admin: { certPem: await pem('GX_FABRIC_ADMIN_CERT'), keyPem: await pem('GX_FABRIC_ADMIN_KEY') },
  };
}
