/**
 * The identity service: registration, login, token refresh and logout, profiles; KYC in kyc-routes.ts.
 */
import { genders } from '@gx/chaincode';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AuditEntry, auditedRead, recordAudit } from '../../db/audit.js';
import { createBatchLoader } from '../../db/batch-loader.js';
import { inTransaction } from '../../db/pool.js';
import { assertSelfOr } from '../../http/auth.js';
import { clientKey } from '../../http/client-address.js';
import { httpErrors } from '../../http/errors.js';
import { errorResponses, profileIdParams, profileSchema } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import type { CapabilityContext } from '../index.js';
import { changePassword, checkCredentials, PasswordChangeRefusedError, registerUser } from './accounts.js';
import { kycRoutes } from './kyc-routes.js';
import { LoginThrottle } from './login-throttle.js';
import { passwordProblem, warmPasswordPolicy } from './passwords.js';
import { EmailTakenError, findProfile, findProfiles, type Profile, updateProfile } from './profiles.js';
import { issueRefreshToken, RefreshRefusedError, revokeRefreshTokens, rotateRefreshToken } from './refresh-tokens.js';

const email = z.email().max(254);
const name = z.string().trim().min(1).max(100);
const phoneNum = z.string().regex(/^\+?[0-9][0-9 ()-]{5,19}$/, 'must be a phone number like +60123456789');
const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
  .transform((value) => value.toUpperCase());
const dateOfBirth = z.iso
  .date('must be a date YYYY-MM-DD')
  .refine(
    (value) => value >= '1900-01-01' && value <= new Date().toISOString().slice(0, 10),
    'must be a past date after 1900',
  );

const registerBody = z.strictObject({
  fname: name,
  lname: name,
  email,
  phoneNum,
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  nationalityCountryCode: countryCode,
  dateOfBirth,
  gender: z.enum(genders),
});
const loginBody = z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(256) });
const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });
const logoutBody = z.strictObject({ refreshToken: z.string().min(1).max(200).optional() }).nullish();
const passwordChangeBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(8, 'must be at least 8 characters').max(256),
  /** The caller's own refresh token: its session is kept, every other one revoked. */
  refreshToken: z.string().min(1).max(200).optional(),
});
const patchBody = z
  .strictObject({ firstName: name.optional(), lastName: name.optional(), phoneNum: phoneNum.nullable().optional() })
  .refine((body) => Object.keys(body).length > 0, 'give at least one of firstName, lastName, phoneNum');

const tokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});
const session = tokenPair.extend({ user: profileSchema });

/** The audit entry of an admin's read of `profileId`'s personal data. */
function adminRead(request: FastifyRequest, action: string, profileId: string): AuditEntry {
  return {
    actorId: request.user.sub,
    actorRole: request.user.role,
    action,
    targetType: 'user_profile',
    targetId: profileId,
    requestId: request.id,
  };
}

export async function identityRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool } = options;
  const loginThrottle = new LoginThrottle(options.loginFailures);
  await warmPasswordPolicy();
  // Profile reads, coalesced under load.
  const profiles = createBatchLoader((ids: string[]) => findProfiles(pool, ids));

  const startSession = async (profile: Pick<Profile, 'profileId' | 'role'>) => ({
    accessToken: app.issueAccessToken({ sub: profile.profileId, role: profile.role }),
    refreshToken: await issueRefreshToken(pool, profile.profileId, options.refreshTtlSeconds),
    tokenType: 'Bearer' as const,
    expiresIn: options.accessTtlSeconds,
  });

  const visibleProfile = async (profileId: string) => {
    const profile = await profiles.load(profileId);
    if (!profile) throw httpErrors.notFound('Profile');
    return profile;
  };

  app.post(
    '/api/v1/auth/register',
    {
      config: { authRateLimit: true },
      schema: {
        tags: ['auth'],
        summary:
          'Register (off-chain); an admin approves the on-chain registration later. Weak passwords (common, ' +
          'patterns, or derived from the email or names) are refused with the reason',
        body: registerBody,
        response: { 201: session, ...errorResponses(400, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const weak = passwordProblem(body.password, [body.email, body.fname, body.lname]);
      if (weak) throw httpErrors.invalidInput([{ field: 'password', message: weak }], 'The password is too weak');
      try {
        const user = await registerUser(pool, {
          email: body.email,
          password: body.password,
          firstName: body.fname,
          lastName: body.lname,
          phoneNum: body.phoneNum,
          nationalityCountryCode: body.nationalityCountryCode,
          dateOfBirth: body.dateOfBirth,
          gender: body.gender,
        });
        return reply.code(201).send({ ...(await startSession(user)), user });
      } catch (error) {
        if (error instanceof EmailTakenError)
          throw httpErrors.conflict('This email is already registered', 'EmailTaken');
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { authRateLimit: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in; unknown email and wrong password answer alike; repeated failures are slowed down',
        body: loginBody,
        response: { 200: session, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const outcome = await checkCredentials(
        pool,
        loginThrottle,
        request.body.email,
        request.body.password,
        clientKey(request.ip),
      );
      if (!outcome.ok) {
        if (outcome.reason === 'throttled') throw httpErrors.tooManyLoginFailures(outcome.retryAfterSeconds);
        if (outcome.reason === 'locked') throw httpErrors.accountLocked();
        throw httpErrors.invalidCredentials();
      }
      const user = await visibleProfile(outcome.profileId);
      return { ...(await startSession(user)), user };
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { authRateLimit: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair; a reused refresh token revokes its whole family',
        body: refreshBody,
        response: { 200: tokenPair, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      try {
        const rotated = await rotateRefreshToken(pool, request.body.refreshToken, {
          ttlSeconds: options.refreshTtlSeconds,
          key: options.refreshKey,
          graceSeconds: options.refreshReuseGraceSeconds,
        });
        const profile = await visibleProfile(rotated.profileId);
        return {
          accessToken: app.issueAccessToken({ sub: profile.profileId, role: profile.role }),
          refreshToken: rotated.refreshToken,
          tokenType: 'Bearer' as const,
          expiresIn: options.accessTtlSeconds,
        };
      } catch (error) {
        if (error instanceof RefreshRefusedError) {
          if (error.reason === 'locked') throw httpErrors.accountLocked();
          request.log.warn({ reason: error.reason }, 'refresh token refused');
          throw httpErrors.invalidRefreshToken();
        }
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['auth'],
        summary: "Revoke the given refresh token's family, or every refresh token of the caller when none is given",
        body: logoutBody,
      },
    },
    async (request, reply) => {
      await revokeRefreshTokens(pool, request.user.sub, request.body?.refreshToken);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      // The per-IP auth limit too: each attempt costs argon2 work, like a login.
      config: { auth: 'user', authRateLimit: true },
      schema: {
        tags: ['auth'],
        summary:
          "Change the caller's password; every other session's refresh tokens are revoked (the one given in " +
          '`refreshToken` is kept)',
        body: passwordChangeBody,
      },
    },
    async (request, reply) => {
      const { currentPassword, newPassword, refreshToken } = request.body;
      try {
        await changePassword(pool, request.user.sub, { currentPassword, newPassword, keepRefreshToken: refreshToken });
      } catch (error) {
        if (error instanceof PasswordChangeRefusedError) {
          throw httpErrors.invalidInput([{ field: error.field, message: error.message }]);
        }
        throw error;
      }
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/users/me',
    {
      config: { auth: 'user' },
      schema: { tags: ['users'], response: { 200: profileSchema, ...errorResponses(401, 404) } },
    },
    async (request) => visibleProfile(request.user.sub),
  );

  app.get(
    '/api/v1/users/:profileId',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['users'],
        summary: 'A profile: the owner or an admin',
        params: profileIdParams,
        response: { 200: profileSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { profileId } = request.params;
      assertSelfOr(request, profileId, 'auditor');
      if (request.user.sub === profileId) return visibleProfile(profileId);
      const profile = await auditedRead(
        pool,
        (db) => findProfile(db, profileId),
        (found) => found && adminRead(request, 'user.read', profileId),
      );
      if (!profile) throw httpErrors.notFound('Profile');
      return profile;
    },
  );

  app.patch(
    '/api/v1/users/:profileId',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['users'],
        summary: 'Change off-chain profile fields (names, phone number)',
        params: profileIdParams,
        body: patchBody,
        response: { 200: profileSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { profileId } = request.params;
      assertSelfOr(request, profileId, 'admin');
      // An admin changing someone else's profile is an admin action: audited in the same transaction.
      const byAdmin = request.user.sub !== profileId;
      const updated = await inTransaction(pool, async (client) => {
        const profile = await updateProfile(client, profileId, request.body);
        if (profile && byAdmin) {
          await recordAudit(client, {
            actorId: request.user.sub,
            actorRole: request.user.role,
            action: 'user.update',
            targetType: 'user_profile',
            targetId: profileId,
            requestId: request.id,
            details: { fields: Object.keys(request.body) },
          });
        }
        return profile;
      });
      if (!updated) throw httpErrors.notFound('Profile');
      return updated;
    },
  );

  await app.register(kycRoutes, options);
}
