/**
 * Fabric identity and TLS material from configuration: each setting is either PEM text or a path to a PEM
 * file (Kubernetes mounts secrets as files; local runs and devnet pass PEM in the environment). Everything is
 * read and cross-checked once, at start-up, so a wrong file fails with the variable's name instead of a
 * signature error on the first transaction.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FABRIC_ROLES, type FabricRole, type FabricSettings, fabricIdentityVariables } from '../config.js';
import { CredentialError } from './errors.js';

/** One signing identity: its certificate (sent with every proposal) and the matching private key. */
export interface SigningCredentials {
  mspId: string;
  certPem: string;
  privateKey: KeyObject;
}

/** Everything needed to open a gateway connection, checked. */
export interface FabricCredentials {
  peerEndpoint: string;
  /** PEM of the CA that signed the peer's TLS certificate; undefined = plaintext gRPC (`GX_FABRIC_TLS=false`). */
  tls: { caPem: Buffer | undefined; hostOverride: string | undefined } | undefined;
  /**
   * The identities this process holds, by role. A command whose role is missing fails with
   * LedgerConfigurationError naming the variables; reads use {@link readIdentity}.
   */
  identities: Partial<Record<FabricRole, SigningCredentials>>;
}

/**
 * What a process does on the ledger: `read` (the API, the projector, `gx verify`) loads the reader identity
 * alone and leaves every signing key unread, whatever the environment holds; `sign` (the submitter) loads
 * every identity configured.
 */
export type LedgerAccess = 'read' | 'sign';

/** The identity reads (queries, health, event and block streams) use: the reader, else any identity held. */
export function readIdentity(credentials: FabricCredentials): FabricRole | undefined {
  if (credentials.identities.reader) return 'reader';
  return FABRIC_ROLES.find((role) => credentials.identities[role] !== undefined);
}

/** Reads `value` as PEM text, or as the path of a file holding it. */
export function readPem(variable: string, value: string): string {
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) return `${text}\n`;
  let content: string;
  try {
    content = readFileSync(text, 'utf8');
  } catch (error) {
    // The value is not repeated: what is neither PEM nor a path is most likely key material that lost its PEM
    // header (quoting, base64 of a Secret), and an error message ends up in logs and terminals.
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CredentialError(variable, `is neither PEM text nor a readable file (${reason}); the value is not shown`);
  }
  if (!content.includes('-----BEGIN')) throw new CredentialError(variable, `file "${text}" does not contain PEM data`);
  return content;
}

function parseCertificate(variable: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new CredentialError(variable, `is not a PEM X.509 certificate (${(error as Error).message})`, {
      cause: error,
    });
  }
}

function parsePrivateKey(variable: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new CredentialError(variable, `is not a PEM private key (${(error as Error).message})`, { cause: error });
  }
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

function loadIdentity(
  mspId: string,
  cert: { variable: string; value: string },
  key: { variable: string; value: string },
): SigningCredentials {
  const certPem = readPem(cert.variable, cert.value);
  const certificate = parseCertificate(cert.variable, certPem);
  const privateKey = parsePrivateKey(key.variable, readPem(key.variable, key.value));
  if (privateKey.asymmetricKeyType !== 'ec') {
    throw new CredentialError(
      key.variable,
      `must be an EC (ECDSA) key, as Fabric identities are; got ${privateKey.asymmetricKeyType}`,
    );
  }
  if (!spki(certificate.publicKey).equals(spki(createPublicKey(privateKey)))) {
    throw new CredentialError(
      key.variable,
      `does not match the certificate in ${cert.variable} (different public key)`,
    );
  }
  return { mspId, certPem, privateKey };
}

/**
 * Loads and checks the Fabric settings. Throws {@link CredentialError} naming the first variable that is
 * missing, unreadable, malformed, or whose key does not match its certificate.
 */
export function loadFabricCredentials(
  settings: FabricSettings,
  options: { access?: LedgerAccess } = {},
): FabricCredentials {
  const required = (variable: string, value: string | undefined): string => {
    if (value === undefined || value === '') throw new CredentialError(variable, 'is required to reach the ledger');
    return value;
  };
  const peerEndpoint = required('GX_FABRIC_PEER_ENDPOINT', settings.peerEndpoint);
  const mspId = required('GX_FABRIC_MSP_ID', settings.mspId);
  const access = options.access ?? 'sign';
  const identities: FabricCredentials['identities'] = {};
  for (const role of access === 'read' ? (['reader'] as const) : FABRIC_ROLES) {
    const { cert, key } = settings.identities[role];
    const variables = fabricIdentityVariables(role);
    // A read-only process needs its one identity; a signing process takes the roles it is given.
    if (access === 'sign' && cert === undefined && key === undefined) continue;
    identities[role] = loadIdentity(
      mspId,
      { variable: variables.cert, value: required(variables.cert, cert) },
      { variable: variables.key, value: required(variables.key, key) },
    );
  }
  if (Object.keys(identities).length === 0) {
    throw new CredentialError(
      'GX_FABRIC_<ROLE>_CERT',
      'no Fabric identity is configured: set GX_FABRIC_<ROLE>_CERT and _KEY for the roles this process signs as',
    );
  }
  let tls: FabricCredentials['tls'];
  if (settings.tls) {
    let caPem: Buffer | undefined;
    if (settings.tlsCa !== undefined) {
      const pem = readPem('GX_FABRIC_TLS_CA', settings.tlsCa);
      parseCertificate('GX_FABRIC_TLS_CA', pem);
      caPem = Buffer.from(pem);
    }
    tls = { caPem, hostOverride: settings.tlsHostOverride };
  }
  return { peerEndpoint, tls, identities };
}
