/**
 * Secrets for the zero-setup `gx dev`: made once, kept in the data folder (mode 0600) so a second start
 * resumes with the same admin login, tokens and KYC key. Settings given in the environment win, and the admin
 * `gx dev` runs with is written back, so that `gx demo` in another terminal logs in as that admin.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DevSecrets {
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
  /**
   * A second super admin, made by `gx dev` for development only: four-eyes requests need an approver other
   * than the requester, and `gx demo` shows a pause that way.
   */
  approverEmail: string;
  approverPassword: string;
  kycEncryptionKeys: string;
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

function fresh(): DevSecrets {
  return {
    jwtSecret: randomBytes(32).toString('base64url'),
    adminEmail: 'admin@gx.local',
    adminPassword: `gx-${randomBytes(9).toString('base64url')}`,
    approverEmail: 'approver@gx.local',
    approverPassword: `gx-${randomBytes(9).toString('base64url')}`,
    kycEncryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
  };
}

/**
 * Reads `<dataDir>/dev-secrets.json`, creating it on first start. A file an older release wrote gets the
 * secrets it lacks, written back, so that every later reader sees the same ones.
 */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, DEV_SECRETS_FILE);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Partial<DevSecrets>;
    const secrets = { ...fresh(), ...stored };
    if (Object.keys(secrets).some((key) => !(key in stored))) {
      await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    }
    return secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets = fresh();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** The environment `gx dev` runs with: the caller's settings first, dev secrets where they are absent. */
export function devEnvironment(env: NodeJS.ProcessEnv, secrets: DevSecrets): NodeJS.ProcessEnv {
  return {
    GX_JWT_SECRET: secrets.jwtSecret,
    GX_ADMIN_EMAIL: secrets.adminEmail,
    GX_ADMIN_PASSWORD: secrets.adminPassword,
    GX_KYC_ENCRYPTION_KEYS: secrets.kycEncryptionKeys,
    GX_HTTP_HOST: '127.0.0.1',
    ...env,
  };
}

/**
 * Records in `<dataDir>/dev-secrets.json` the admin `gx dev` actually runs with. When GX_ADMIN_EMAIL and
 * GX_ADMIN_PASSWORD are set for `gx dev`, the file's generated admin is never created, and `gx demo` (started
 * without those variables, in another terminal) would log in as it and get a 401.
 */
export async function rememberDevAdmin(
  dataDir: string,
  secrets: DevSecrets,
  admin: { email: string | undefined; password: string | undefined },
): Promise<DevSecrets> {
  const updated = {
    ...secrets,
    adminEmail: admin.email ?? secrets.adminEmail,
    adminPassword: admin.password ?? secrets.adminPassword,
  };
  if (updated.adminEmail === secrets.adminEmail && updated.adminPassword === secrets.adminPassword) return secrets;
  await writeFile(path.join(dataDir, DEV_SECRETS_FILE), `${JSON.stringify(updated, null, 2)}\n`, { mode: 0o600 });
  return updated;
}
