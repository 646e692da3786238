import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FabricSettings } from '../config.js';
import { loadFabricCredentials } from './credentials.js';
import { CredentialError } from './errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function identity(): Promise<{ certPem: string; keyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=test',
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem'), keyPem };
}

let folder: string;
let client: { certPem: string; keyPem: string };
let other: { certPem: string; keyPem: string };

function settings(overrides: Partial<FabricSettings> = {}): FabricSettings {
  return {
    peerEndpoint: 'localhost:7051',
    tls: true,
    tlsCa: client.certPem,
    tlsHostOverride: 'localhost',
    mspId: 'Org1MSP',
    clientCert: client.certPem,
    clientKey: client.keyPem,
    adminCert: undefined,
    adminKey: undefined,
    channel: 'gxchannel',
    chaincode: 'gxtv3',
    ...overrides,
  };
}

function failure(overrides: Partial<FabricSettings>): CredentialError {
  try {
    loadFabricCredentials(settings(overrides));
  } catch (error) {
    if (error instanceof CredentialError) return error;
    throw error;
  }
  throw new Error('expected a CredentialError');
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'gx-credentials-'));
  client = await identity();
  other = await identity();
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('loadFabricCredentials', () => {
  it('accepts PEM text in the variables', () => {
    const loaded = loadFabricCredentials(settings());
    expect(loaded.client.mspId).toBe('Org1MSP');
    expect(loaded.tls?.caPem?.toString()).toContain('BEGIN CERTIFICATE');
    expect(loaded.admin).toBeUndefined();
  });

  it('accepts paths to PEM files', async () => {
    await writeFile(path.join(folder, 'cert.pem'), client.certPem);
    await writeFile(path.join(folder, 'key.pem'), client.keyPem);
    const loaded = loadFabricCredentials(
      settings({ clientCert: path.join(folder, 'cert.pem'), clientKey: path.join(folder, 'key.pem') }),
    );
    expect(loaded.client.certPem).toBe(client.certPem);
  });

  it('names an unreadable file', () => {
    const error = failure({ clientKey: path.join(folder, 'missing.pem') });
    expect(error.variable).toBe('GX_FABRIC_CLIENT_KEY');
    expect(error.message).toMatch(/cannot read .*missing\.pem.*ENOENT/);
  });

  it('names a key that does not match its certificate', () => {
    const error = failure({ clientKey: other.keyPem });
    expect(error.message).toBe(
      'GX_FABRIC_CLIENT_KEY: does not match the certificate in GX_FABRIC_CLIENT_CERT (different public key)',
    );
  });

  it('names malformed PEM and non-EC keys', () => {
    expect(failure({ clientCert: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' }).variable).toBe(
      'GX_FABRIC_CLIENT_CERT',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(failure({ clientKey: rsa.toString() }).message).toMatch(/must be an EC/);
  });

  it('demands both admin variables once one is set, and checks them too', () => {
    expect(failure({ adminCert: other.certPem }).variable).toBe('GX_FABRIC_ADMIN_KEY');
    expect(failure({ adminCert: other.certPem, adminKey: client.keyPem }).variable).toBe('GX_FABRIC_ADMIN_KEY');
    expect(loadFabricCredentials(settings({ adminCert: other.certPem, adminKey: other.keyPem })).admin).toBeDefined();
  });

  it('names missing required settings', () => {
    expect(failure({ peerEndpoint: undefined }).variable).toBe('GX_FABRIC_PEER_ENDPOINT');
    expect(failure({ mspId: undefined }).variable).toBe('GX_FABRIC_MSP_ID');
  });
});
