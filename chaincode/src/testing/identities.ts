/**
 * Test identities: real X.509 certificates, so contracts see them through fabric-shim's real ClientIdentity
 * exactly as on a peer.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** The extension Fabric CA uses for enrolment attributes (JSON `{"attrs":{...}}`). */
const fabricAttributesOid = '1.2.3.4.5.6.7.8.1';
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface TestIdentity {
  mspId: string;
  certPem: string;
}

/**
 * A self-signed certificate for `subject` (e.g. `CN=alice, OU=client`, or a JSON name for values a string
 * cannot express), optionally carrying Fabric CA attributes.
 */
export async function createIdentity(
  subject: string | x509.JsonName,
  attrs?: Record<string, string>,
  mspId = 'Org1MSP',
): Promise<TestIdentity> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions =
    attrs === undefined
      ? []
      : [new x509.Extension(fabricAttributesOid, false, Buffer.from(JSON.stringify({ attrs }), 'utf8'))];
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: subject,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2040-01-01T00:00:00Z'),
    signingAlgorithm: algorithm,
    keys,
    extensions,
  });
  return { mspId, certPem: certificate.toString('pem') };
}

/** A backend identity as a Fabric CA enrols it: `OU=client`, `gx.role=<role>`. */
export function createRoleIdentity(role: string, mspId = 'Org1MSP'): Promise<TestIdentity> {
  return createIdentity(`CN=gx-${role}, OU=client`, { 'gx.role': role, 'hf.EnrollmentID': `gx-${role}` }, mspId);
}

/**
 * The identities the contract tests need: one per backend role in the ledger's organization (Org1MSP), the
 * same roles in a foreign organization (Org2MSP), and near misses.
 */
export async function createTestIdentities() {
  return {
    superAdmin: await createRoleIdentity('super_admin'),
    admin: await createRoleIdentity('admin'),
    registrar: await createRoleIdentity('registrar'),
    transfer: await createRoleIdentity('transfer'),
    /** The read-only identity (API health check, projector): no function accepts it. */
    reader: await createRoleIdentity('reader'),
    /** cryptogen / NodeOUs admin: `OU=admin`, no attributes. */
    ouAdmin: await createIdentity('CN=Admin@org1.example.com, OU=admin'),
    /** A Fabric CA enrolment without gx.role (other attributes only). */
    noRole: await createIdentity('CN=gx-backend, OU=client', { 'hf.EnrollmentID': 'gx-backend' }),
    /** An unknown role attribute and an OU that merely contains "admin". */
    nearMiss: await createIdentity('CN=admin, OU=administrators', { 'gx.role': 'user' }),
    /** Every role again, from an organization the ledger was not configured with. */
    foreign: {
      superAdmin: await createRoleIdentity('super_admin', 'Org2MSP'),
      admin: await createRoleIdentity('admin', 'Org2MSP'),
      registrar: await createRoleIdentity('registrar', 'Org2MSP'),
      transfer: await createRoleIdentity('transfer', 'Org2MSP'),
      ouAdmin: await createIdentity('CN=Admin@org2.example.com, OU=admin', undefined, 'Org2MSP'),
    },
  };
}

export type TestIdentities = Awaited<ReturnType<typeof createTestIdentities>>;

/** A self-signed TLS server certificate for localhost / 127.0.0.1, with its PKCS#8 key, as PEM. */
export async function createTlsServerCertificate(): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: 'CN=localhost',
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2040-01-01T00:00:00Z'),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: certificate.toString('pem'), keyPem };
}
