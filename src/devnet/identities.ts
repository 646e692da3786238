/**
 * devnet's crypto material: one CA, the peer's signing and TLS identities, and one identity per backend role
 * (`gx.role`, as a Fabric CA enrols them: see docs/fabric.md), plus whatever tests mint with
 * {@link issueIdentity}.
 *
 * Created once (ECDSA P-256, as Fabric's CA issues) under `<dataDir>/devnet/crypto/` and reused on every
 * start, so a backend configured with the files keeps working across devnet restarts. A role whose files are
 * missing (a folder from an older devnet) is issued by the existing CA.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { FABRIC_ROLES, type FabricRole } from '../config.js';

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
  /** The backend's identities, one per role (GX_FABRIC_<ROLE>_CERT/KEY). */
  roles: Record<FabricRole, PemIdentity>;
}

/** What a minted identity says about itself. */
export interface IdentityRequest {
  /** `gx.role` attribute; none when absent (an enrolment without a role). */
  role?: string;
  /** Subject OU (`client` by default; `admin` for a cryptogen-style admin certificate). */
  organizationalUnit?: string;
  commonName?: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const networkNames = ['ca', 'peer', 'tls'] as const;

/** The files of an identity in the crypto folder: `<name>-cert.pem` and `<name>-key.pem`. */
export function identityFiles(folder: string, name: string): { cert: string; key: string } {
  return { cert: path.join(folder, `${name}-cert.pem`), key: path.join(folder, `${name}-key.pem`) };
}

/**
 * Loads the identities from `folder`: the CA, peer and TLS identities are created (all three) if any is
 * missing; each role identity missing is then issued by the CA.
 */
export async function loadOrCreateIdentities(folder: string, mspId: string): Promise<DevnetIdentities> {
  await mkdir(folder, { recursive: true });
  let network = await loadNetworkIdentities(folder);
  if (!network) {
    network = await createNetworkIdentities(mspId);
    for (const name of networkNames) await save(folder, name, network[name]);
  }
  const roles: Partial<Record<FabricRole, PemIdentity>> = {};
  for (const role of FABRIC_ROLES) {
    let identity = await loadIdentity(folder, role);
    if (!identity) {
      identity = await issueIdentity(network.ca, mspId, { role });
      await save(folder, role, identity);
    }
    roles[role] = identity;
  }
  return { ...network, roles: roles as Record<FabricRole, PemIdentity> };
}

async function save(folder: string, name: string, identity: PemIdentity): Promise<void> {
  const files = identityFiles(folder, name);
  await writeAtomically(files.cert, identity.certPem);
  await writeAtomically(files.key, identity.keyPem, 0o600);
}

async function loadIdentity(folder: string, name: string): Promise<PemIdentity | undefined> {
  const files = identityFiles(folder, name);
  try {
    const [certPem, keyPem] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
    return { certPem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function loadNetworkIdentities(folder: string): Promise<Omit<DevnetIdentities, 'roles'> | undefined> {
  const [ca, peer, tls] = await Promise.all(networkNames.map((name) => loadIdentity(folder, name)));
  return ca && peer && tls ? { ca, peer, tls } : undefined;
}

async function writeAtomically(file: string, text: string, mode = 0o644): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, file);
}

const validity = () => ({
  notBefore: new Date(Date.now() - 60_000),
  notAfter: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
});

/** A new CA for `mspId` (what an organization's Fabric CA is): its certificate and key. */
export async function createCertificateAuthority(mspId: string): Promise<PemIdentity> {
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=ca.devnet.gx,O=${mspId},C=US`,
    ...validity(),
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return { certPem: caCert.toString('pem'), keyPem: await privateKeyPem(caKeys.privateKey) };
}

async function issue(
  ca: PemIdentity,
  subject: string,
  extensions: x509.Extension[],
  usage: number = x509.KeyUsageFlags.digitalSignature,
): Promise<PemIdentity> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), algorithm, false, [
    'sign',
  ]);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: caCert.subject,
    ...validity(),
    publicKey: keys.publicKey,
    signingKey: caKey,
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

/**
 * An identity issued by `ca` as a Fabric CA enrolment: subject `CN=<name>,OU=<ou>,O=<mspId>`, and the
 * attribute `gx.role` in Fabric CA's extension when a role is given. devnet's own role identities are made
 * this way; tests mint wrong-role, role-less and cryptogen-style (`OU=admin`) identities with it.
 */
export async function issueIdentity(ca: PemIdentity, mspId: string, request: IdentityRequest): Promise<PemIdentity> {
  const commonName = request.commonName ?? `gx-${request.role ?? 'norole'}`;
  const attrs: Record<string, string> = { 'hf.EnrollmentID': commonName };
  if (request.role !== undefined) attrs['gx.role'] = request.role;
  return issue(ca, `CN=${commonName},OU=${request.organizationalUnit ?? 'client'},O=${mspId}`, [
    new x509.Extension(FABRIC_ATTRIBUTES_OID, false, new TextEncoder().encode(JSON.stringify({ attrs }))),
  ]);
}

async function createNetworkIdentities(mspId: string): Promise<Omit<DevnetIdentities, 'roles'>> {
  const ca = await createCertificateAuthority(mspId);
  return {
    ca,
    peer: await issue(ca, `CN=peer0.devnet.gx,OU=peer,O=${mspId}`, []),
    tls: await issue(
      ca,
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
