/**
 * Authentication (short-lived HS256 access tokens, @fastify/jwt) and the authorization checks routes use.
 */
import { createHash } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import { createDecoder, createSigner, createVerifier } from 'fast-jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { createBatchLoader } from '../db/batch-loader.js';
import { httpErrors } from './errors.js';

/**
 * Who a caller is to the API, in rank order: each role holds every right of the roles before it. An auditor
 * reads every admin view and changes nothing; an admin also acts; a super admin also decides four-eyes
 * approvals (docs/domain.md, System controls).
 */
export const ROLES = ['user', 'auditor', 'admin', 'super_admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` holds the rights of `least` (see {@link ROLES}). */
export function hasRole(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/** What an access token carries: the profile id and role. */
export interface AccessClaims {
  sub: string;
  role: Role;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The onRequest hook of a role: 401 without a valid token, 403 unless the token's role holds `least`'s rights. */
    requireRole(least: Role): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
    /** Signs an access token. */
    issueAccessToken(claims: AccessClaims): string;
    /** Drops the cached state of an account (call after locking it), so this replica sees the change now. */
    forgetAccountState(profileId: string): void;
  }
}

/** What authentication checks about the account behind a token. */
export interface AccountStateView {
  role: Role;
  isLocked: boolean;
}

export const DEFAULT_ISSUER = 'gx-protocol';
export const DEFAULT_AUDIENCE = 'gx-api';

export interface AuthOptions {
  /** Signs new tokens (and verifies them). */
  secret: string;
  /** Older secrets, still accepted for verification while their tokens live (rotation). */
  previousSecrets?: readonly string[];
  /** `iss` of our tokens, checked on each (default {@link DEFAULT_ISSUER}). */
  issuer?: string;
  /** `aud` of our tokens, checked on each (default {@link DEFAULT_AUDIENCE}). */
  audience?: string;
  accessTtlSeconds: number;
  /** Existing accounts among the ids, with role and lock; absent: tokens are trusted until they expire. */
  accountStates?: ((profileIds: string[]) => Promise<Map<string, AccountStateView>>) | undefined;
  /** How long an account's state is reused (ms; default 1000). */
  stateCacheMs?: number;
}

/** The key id of a secret: names it in a token's header without revealing it (rotation, README Security). */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 16);
}

/**
 * Checks an Authorization header and returns its claims. Verified tokens are kept by their exact text until
 * they expire: a client sends one token many times, and verifying (decode, HMAC, claim checks) cost ~13 % of
 * a read's CPU where a map lookup costs next to nothing. Bounded: past `capacity` the oldest entry goes.
 */
function headerVerifier(verifyToken: (token: string) => unknown, capacity = 10_000): (header: string) => AccessClaims {
  const verified = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();
  const invalid = () => httpErrors.unauthorized('The access token is invalid or expired');
  return (header) => {
    // "Bearer <token>" as @fastify/jwt reads it: the scheme in any case, then one space and no other.
    const token = header.slice(7);
    if (header[6] !== ' ' || token === '' || token.includes(' ') || !/^bearer$/i.test(header.slice(0, 6))) {
      throw invalid();
    }
    const hit = verified.get(token);
    if (hit && Date.now() < hit.expiresAtMs) return hit.claims;
    let payload: { sub?: unknown; role?: unknown; exp?: unknown };
    try {
      payload = verifyToken(token) as typeof payload;
    } catch {
      throw invalid();
    }
    const { sub, role, exp } = payload;
    if (typeof sub !== 'string' || !isRole(role)) throw invalid();
    const claims: AccessClaims = Object.freeze({ sub, role });
    // Only tokens that expire are kept (ours always do), so no entry outlives its token.
    if (typeof exp === 'number') {
      verified.delete(token);
      verified.set(token, { claims, expiresAtMs: exp * 1000 });
      if (verified.size > capacity) verified.delete(verified.keys().next().value as string);
    }
    return claims;
  };
}

/**
 * Verifies with the secret the token's `kid` names: the current secret or one still listed for verification
 * during a rotation. Issuer and audience must be ours, so a token minted for another service with the same
 * secret is refused.
 */
function tokenVerifier(options: AuthOptions): (token: string) => unknown {
  const verifiers = new Map(
    [options.secret, ...(options.previousSecrets ?? [])].map((secret) => [
      keyIdOf(secret),
      createVerifier({
        key: secret,
        algorithms: ['HS256'],
        allowedIss: options.issuer ?? DEFAULT_ISSUER,
        allowedAud: options.audience ?? DEFAULT_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iss', 'aud'],
        cache: false,
      }),
    ]),
  );
  const decode = createDecoder({ complete: true });
  return (token) => {
    const { header } = decode(token) as { header: { kid?: unknown } };
    const verify = typeof header.kid === 'string' ? verifiers.get(header.kid) : undefined;
    if (!verify) throw new Error('unknown key id');
    return verify(token);
  };
}

/**
 * The current state of accounts behind tokens, cached for `ttlMs` per account (0 = ask every time) and read
 * in batches under load: a lock takes effect within that time on every replica, at once on the one that
 * locked (forget).
 */
function accountStateCache(load: (ids: string[]) => Promise<Map<string, AccountStateView>>, ttlMs: number) {
  const cache = new Map<string, { state: AccountStateView | null; atMs: number }>();
  const loader = createBatchLoader(load);
  return {
    fresh(profileId: string): AccountStateView | null | undefined {
      const hit = cache.get(profileId);
      return hit && Date.now() - hit.atMs < ttlMs ? hit.state : undefined;
    },
    async load(profileId: string): Promise<AccountStateView | null> {
      const state = (await loader.load(profileId)) ?? null;
      if (ttlMs > 0) {
        cache.delete(profileId);
        cache.set(profileId, { state, atMs: Date.now() });
        if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
      }
      return state;
    },
    forget(profileId: string): void {
      cache.delete(profileId);
    },
  };
}

/** The token's claims still hold for the account: it exists, is not locked, and has the token's role. */
function checkAccount(claims: AccessClaims, state: AccountStateView | null): void {
  if (state === null || state.role !== claims.role) {
    throw httpErrors.unauthorized('The access token no longer matches an account');
  }
  if (state.isLocked) throw httpErrors.accountLocked();
}

/** The refusal of a token whose role lacks `least`'s rights. */
function checkRole(claims: AccessClaims, least: Role): void {
  if (!hasRole(claims.role, least)) {
    throw httpErrors.forbidden(least === 'auditor' ? 'Administrators and auditors only' : `Role ${least} required`);
  }
}

/** Registers JWT support and the `requireRole` hooks for every scope. */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, options) => {
    // @fastify/jwt for request.user; tokens are signed and checked below (key ids, issuer, audience).
    await app.register(fastifyJwt, { secret: options.secret, verify: { algorithms: ['HS256'] } });
    const sign = createSigner({
      key: options.secret,
      algorithm: 'HS256',
      expiresIn: options.accessTtlSeconds * 1000,
      iss: options.issuer ?? DEFAULT_ISSUER,
      aud: options.audience ?? DEFAULT_AUDIENCE,
      kid: keyIdOf(options.secret),
    });
    const verify = headerVerifier(tokenVerifier(options));
    const states = options.accountStates
      ? accountStateCache(options.accountStates, options.stateCacheMs ?? 1000)
      : undefined;
    const hook =
      (least: Role) =>
      (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
        let claims: AccessClaims;
        try {
          const header = request.headers.authorization;
          if (!header) throw httpErrors.unauthorized();
          claims = verify(header);
          request.user = claims;
          const cached = states?.fresh(claims.sub);
          if (states === undefined || cached !== undefined) {
            if (states !== undefined) checkAccount(claims, cached ?? null);
            checkRole(claims, least);
            done();
            return;
          }
        } catch (error) {
          done(error as Error);
          return;
        }
        // A callback hook: the cached path above stays synchronous (no promise, no microtask turn).
        states.load(claims.sub).then((state) => {
          try {
            checkAccount(claims, state);
            checkRole(claims, least);
          } catch (error) {
            return done(error as Error);
          }
          done();
        }, done);
      };
    const hooks = new Map(ROLES.map((role) => [role, hook(role)]));
    app.decorate('requireRole', (least: Role) => hooks.get(least) as ReturnType<typeof hook>);
    app.decorate('issueAccessToken', (claims: AccessClaims) => sign({ sub: claims.sub, role: claims.role }));
    app.decorate('forgetAccountState', (profileId: string) => states?.forget(profileId));
  },
  { name: 'gx-auth' },
);

/**
 * Throws 403 unless the caller is `profileId` or holds `least`'s rights: `auditor` where the route only
 * reads, `admin` where it changes something.
 */
export function assertSelfOr(request: FastifyRequest, profileId: string, least: 'auditor' | 'admin'): void {
  if (request.user.sub !== profileId && !hasRole(request.user.role, least)) {
    throw httpErrors.forbidden('You may only access your own account');
  }
}

/** Throws 403 unless the caller is `profileId` (admins included: some actions are the owner's alone). */
export function assertSelf(request: FastifyRequest, profileId: string): void {
  if (request.user.sub !== profileId) throw httpErrors.forbidden('Only the account owner may do this');
}
