import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FABRIC_ROLES, type FabricIdentitySettings, type FabricRole, type FabricSettings } from '../config.js';
import { loadFabricCredentials, readIdentity } from './credentials.js';
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

const none: FabricIdentitySettings = { cert: undefined, key: undefined };

/** Settings holding `client` as the registrar (and whatever `identities` adds), unless overridden. */
function settings(
  overrides: Partial<Omit<FabricSettings, 'identities'>> = {},
  identities: Partial<Record<FabricRole, Partial<FabricIdentitySettings>>> = {},
): FabricSettings {
  const all = Object.fromEntries(FABRIC_ROLES.map((role) => [role, none])) as Record<
    FabricRole,
    FabricIdentitySettings
  >;
  all.registrar = { cert: client.certPem, key: client.keyPem };
  for (const [role, value] of Object.entries(identities) as Array<[FabricRole, Partial<FabricIdentitySettings>]>) {
    all[role] = { ...all[role], ...value };
  }
  return {
    peerEndpoint: 'localhost:7051',
    tls: true,
    tlsCa: client.certPem,
    tlsHostOverride: 'localhost',
    mspId: 'Org1MSP',
    identities: all,
    channel: 'gxchannel',
    chaincode: 'gxtv3',
    ...overrides,
  };
}

function failure(
  overrides: Partial<Omit<FabricSettings, 'identities'>>,
  identities: Partial<Record<FabricRole, Partial<FabricIdentitySettings>>> = {},
  access: 'read' | 'sign' = 'sign',
): CredentialError {
  try {
    loadFabricCredentials(settings(overrides, identities), { access });
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
  it('accepts PEM text in the variables and loads only the roles configured', () => {
    const loaded = loadFabricCredentials(settings());
    expect(loaded.identities.registrar?.mspId).toBe('Org1MSP');
    expect(loaded.tls?.caPem?.toString()).toContain('BEGIN CERTIFICATE');
    expect(Object.keys(loaded.identities)).toEqual(['registrar']);
    // Without a reader, reads fall back to an identity the process holds.
    expect(readIdentity(loaded)).toBe('registrar');
  });

  it('accepts paths to PEM files', async () => {
    await writeFile(path.join(folder, 'cert.pem'), client.certPem);
    await writeFile(path.join(folder, 'key.pem'), client.keyPem);
    const loaded = loadFabricCredentials(
      settings({}, { registrar: { cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') } }),
    );
    expect(loaded.identities.registrar?.certPem).toBe(client.certPem);
  });

  it('reports a value that is neither PEM nor a readable file without the value, which may be a mangled key (issue 29)', () => {
    const mangled = 'MHcCAQEEIBvL0ngsecretkeymaterialwithoutitsPEMheader';
    for (const value of [mangled, path.join(folder, 'missing.pem')]) {
      const error = failure({}, { registrar: { key: value } });
      expect(error.variable).toBe('GX_FABRIC_REGISTRAR_KEY');
      expect(error.message).toMatch(/is neither PEM text nor a readable file \(ENOENT\)/);
      expect(error.message).not.toContain(value);
    }
  });

  it('names a key that does not match its certificate', () => {
    const error = failure({}, { transfer: { cert: client.certPem, key: other.keyPem } });
    expect(error.message).toBe(
      'GX_FABRIC_TRANSFER_KEY: does not match the certificate in GX_FABRIC_TRANSFER_CERT (different public key)',
    );
  });

  it('names malformed PEM and non-EC keys', () => {
    expect(
      failure({}, { registrar: { cert: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' } }).variable,
    ).toBe('GX_FABRIC_REGISTRAR_CERT');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(failure({}, { registrar: { key: rsa.toString() } }).message).toMatch(/must be an EC/);
  });

  it('demands both variables of a role once one is set, and checks them too', () => {
    expect(failure({}, { super_admin: { cert: other.certPem } }).variable).toBe('GX_FABRIC_SUPER_ADMIN_KEY');
    expect(failure({}, { admin: { cert: other.certPem, key: client.keyPem } }).variable).toBe('GX_FABRIC_ADMIN_KEY');
    const loaded = loadFabricCredentials(settings({}, { admin: { cert: other.certPem, key: other.keyPem } }));
    expect(Object.keys(loaded.identities).sort()).toEqual(['admin', 'registrar']);
  });

  it('loads nothing but the reader for a read-only process, whatever signing keys the environment holds', () => {
    const loaded = loadFabricCredentials(
      // A broken signing key too: read-only access does not even read it.
      settings({}, { reader: { cert: other.certPem, key: other.keyPem }, transfer: { cert: 'x', key: 'y' } }),
      { access: 'read' },
    );
    expect(Object.keys(loaded.identities)).toEqual(['reader']);
    expect(readIdentity(loaded)).toBe('reader');
    expect(failure({}, {}, 'read').variable).toBe('GX_FABRIC_READER_CERT');
  });

  it('names missing required settings, and a process without any identity', () => {
    expect(failure({ peerEndpoint: undefined }).variable).toBe('GX_FABRIC_PEER_ENDPOINT');
    expect(failure({ mspId: undefined }).variable).toBe('GX_FABRIC_MSP_ID');
    expect(failure({}, { registrar: { cert: undefined, key: undefined } }).message).toMatch(
      /no Fabric identity is configured/,
    );
  });
});
