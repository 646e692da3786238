/**
 * The API on a real port over a test database of its own, with fixture builders for users and admins.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin, parseKycKeyring } from '../../src/capabilities/identity/index.js';
import { type ApiDependencies, buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret!';
export const TEST_KYC_KEY = randomBytes(32).toString('hex');

/** Response bodies are inspected field by field in tests, so they are loosely typed on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are asserted on, not trusted
export type AnyBody = any;

export interface ApiResponse<T = AnyBody> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  /** Sent as is (no JSON encoding); with `contentType`. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Session {
  profileId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export interface TestApi {
  url: string;
  app: FastifyInstance;
  db: TestDatabase;
  request<T = AnyBody>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Registers a new user (unique email) and returns its session. */
  registerUser(overrides?: Record<string, unknown>): Promise<Session>;
  /** The configured first admin (the first super admin), logged in. */
  admin(): Promise<Session>;
  /** A new account of a staff role (registered, its role set as an operator would), logged in. */
  staff(role: 'auditor' | 'admin' | 'super_admin'): Promise<Session>;
  /**
   * Makes a user look registered on the ledger, as the projector would leave it (profile APPROVED /
   * REGISTERED with a Fabric user id, and a wallet), so token routes can be exercised without a ledger.
   */
  putOnLedger(session: Session, balance?: string): Promise<string>;
  /**
   * Takes a registered user through KYC as a client would: the user submits (JSON form), the first admin
   * approves it; the profile is then KYC_APPROVED, ready for the admin's approval (GX_KYC_REQUIRED).
   */
  passKyc(session: Session): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
/** A well-formed Fabric user id, unique within the run. */
export function testFabricUserId(): string {
  counter += 1;
  const letters = (n: number) =>
    Array.from({ length: 4 }, (_, i) => String.fromCharCode(65 + ((n >> (i * 4)) % 26))).join('');
  return `MY A3F HBF934 0${letters(process.pid + counter * 7919)} ${String(counter % 10_000).padStart(4, '0')}`;
}

/**
 * Starts the API over a fresh database. With `databaseRole`, the API's own queries act as that database role
 * (migration 0007's grants), as in production; the fixture builders still write as the superuser.
 */
export async function startTestApi(
  overrides: Partial<ApiDependencies> = {},
  options: { databaseRole?: string } = {},
): Promise<TestApi> {
  const db = await createTestDatabase({ migrated: true });
  const pool = options.databaseRole ? db.poolAs(options.databaseRole) : db.pool;
  const logger = createLogger({ level: process.env.GX_TEST_LOG_LEVEL ?? 'silent', role: 'api-test' });
  const adminEmail = 'admin@gx.test';
  const adminPassword = 'admin-password-123';
  await ensureFirstAdmin(pool, { email: adminEmail, password: adminPassword });
  const app = await buildApp({
    pool,
    listenConfig: { connectionString: db.url },
    logger,
    jwtSecret: TEST_JWT_SECRET,
    kycKeyring: parseKycKeyring(`k1:${TEST_KYC_KEY}`),
    rateLimits: { perIp: 0, perUser: 0, authPerIp: 0 },
    // Tests change a sender's state between requests; production reuses it for up to a second.
    senderCacheTtlMs: 0,
    ...overrides,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  async function request<T = AnyBody>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  const login = async (email: string, password: string): Promise<Session> => {
    const response = await request('POST', '/api/v1/auth/login', { body: { email, password } });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
    return {
      profileId: response.body.user.profileId,
      email,
      password,
      accessToken: response.body.accessToken,
      refreshToken: response.body.refreshToken,
    };
  };

  async function registerUser(overrides: Record<string, unknown> = {}): Promise<Session> {
    counter += 1;
    const body = {
      fname: 'Aisha',
      lname: 'Rahman',
      email: `user${counter}-${randomBytes(4).toString('hex')}@gx.test`,
      phoneNum: '+60123456789',
      password: 'correct horse battery',
      nationalityCountryCode: 'MY',
      dateOfBirth: '1990-05-17',
      gender: 'female',
      ...overrides,
    };
    const response = await request('POST', '/api/v1/auth/register', { body });
    if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
    return {
      profileId: response.body.user.profileId,
      email: body.email as string,
      password: body.password as string,
      accessToken: response.body.accessToken,
      refreshToken: response.body.refreshToken,
    };
  }

  return {
    url,
    app,
    db,
    request,
    registerUser,
    admin: () => login(adminEmail, adminPassword),
    async staff(role) {
      const registered = await registerUser();
      await db.pool.query('UPDATE user_profile SET role = $2 WHERE profile_id = $1', [registered.profileId, role]);
      return login(registered.email, registered.password);
    },
    async putOnLedger(session, balance = '1000000') {
      const fabricUserId = testFabricUserId();
      await db.pool.query(
        `UPDATE user_profile SET status = 'APPROVED', onchain_status = 'REGISTERED', fabric_user_id = $2,
                onchain_registered_at = now() WHERE profile_id = $1`,
        [session.profileId, fabricUserId],
      );
      await db.pool.query('INSERT INTO wallet (fabric_user_id, profile_id, balance) VALUES ($1, $2, $3)', [
        fabricUserId,
        session.profileId,
        balance,
      ]);
      return fabricUserId;
    },
    async passKyc(session) {
      const submitted = await request('POST', `/api/v1/users/${session.profileId}/kyc`, {
        token: session.accessToken,
        body: {
          documentType: 'NATIONAL_ID',
          documentNumber: `K${session.profileId.slice(0, 8)}`,
          documentCountry: 'MY',
        },
      });
      if (submitted.status !== 201) throw new Error(`KYC submission failed: ${submitted.status} ${submitted.text}`);
      const reviewer = await login(adminEmail, adminPassword);
      const approved = await request('POST', `/api/v1/admin/kyc/${session.profileId}/approve`, {
        token: reviewer.accessToken,
      });
      if (approved.status !== 200) throw new Error(`KYC approval failed: ${approved.status} ${approved.text}`);
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
