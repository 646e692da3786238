/**
 * devnet's crypto material: one CA, the peer's signing and TLS identities, an admin and a client identity.
 *
 * Created once (ECDSA P-256, as Fabric's CA issues) under `<dataDir>/devnet/crypto/` and reused on every
 * start, so a backend configured with the files keeps working across devnet restarts.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Fabric CA puts attributes (`hf.*` and custom) in this extension as JSON. */
export const FABRIC_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';
/** The name the TLS certificate carries; clients set it as their TLS host override. */
export const TLS_SERVER_NAME = 'localhost';

/** A certificate and its PKCS#8 private key, both PEM. */
export interface PemIdentity {
  certPem: string;
  keyPem: string;
}

/** Every identity devnet uses. */
export interface DevnetIdentities {
  ca: PemIdentity;
  peer: PemIdentity;
  tls: PemIdentity;
  admin: PemIdentity;
  client: PemIdentity;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const names = ['ca', 'peer', 'tls', 'admin', 'client'] as const;

/** Loads the identities from `folder`, creating them all first if any is missing. */
export async function loadOrCreateIdentities(folder: string, mspId: string): Promise<DevnetIdentities> {
  const existing = await loadIdentities(folder);
  if (existing) return existing;
  const created = await createIdentities(mspId);
  await mkdir(folder, { recursive: true });
  for (const name of names) {
    await writeAtomically(path.join(folder, `${name}-cert.pem`), created[name].certPem);
    await writeAtomically(path.join(folder, `${name}-key.pem`), created[name].keyPem, 0o600);
  }
  return created;
}

async function loadIdentities(folder: string): Promise<DevnetIdentities | undefined> {
  try {
    const entries = await Promise.all(
      names.map(async (name) => {
        const [certPem, keyPem] = await Promise.all([
          readFile(path.join(folder, `${name}-cert.pem`), 'utf8'),
          readFile(path.join(folder, `${name}-key.pem`), 'utf8'),
        ]);
        return [name, { certPem, keyPem }] as const;
      }),
    );
    return Object.fromEntries(entries) as unknown as DevnetIdentities;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, text: string, mode = 0o644): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, file);
}

async function createIdentities(mspId: string): Promise<DevnetIdentities> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const caName = `CN=ca.devnet.gx,O=${mspId},C=US`;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: caName,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  async function issue(
    subject: string,
    extensions: x509.Extension[],
    usage: number = x509.KeyUsageFlags.digitalSignature,
  ): Promise<PemIdentity> {
    const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: caCert.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usage, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
        ...extensions,
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
  }

  const attributes = (attrs: Record<string, string>) =>
    new x509.Extension(FABRIC_ATTRIBUTES_OID, false, new TextEncoder().encode(JSON.stringify({ attrs })));

  return {
    ca: { certPem: caCert.toString('pem'), keyPem: await privateKeyPem(caKeys.privateKey) },
    peer: await issue(`CN=peer0.devnet.gx,OU=peer,O=${mspId}`, []),
    tls: await issue(
      `CN=${TLS_SERVER_NAME},O=${mspId}`,
      [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: TLS_SERVER_NAME },
          { type: 'dns', value: 'devnet' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ],
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    ),
    admin: await issue(`CN=admin,OU=admin,O=${mspId}`, [attributes({ 'gx.role': 'admin' })]),
    client: await issue(`CN=client,OU=client,O=${mspId}`, [attributes({ 'gx.role': 'client' })]),
  };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}
