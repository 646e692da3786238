/**
 * Authentication (short-lived HS256 access tokens, @fastify/jwt) and the authorization checks routes use.
 */
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { httpErrors } from './errors.js';

/** Who a caller is to the API: an ordinary user, or an administrator. */
export type Role = 'user' | 'admin';

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
    /** onRequest hook: 401 unless the request carries a valid access token. */
    authenticate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
    /** onRequest hook: 401 without a valid token, 403 unless its role is admin. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
    /** Signs an access token. */
    issueAccessToken(claims: AccessClaims): string;
  }
}

export interface AuthOptions {
  secret: string;
  accessTtlSeconds: number;
}

/**
 * Checks an Authorization header and returns its claims. Verified tokens are kept by their exact text until
 * they expire: a client sends one token many times, and verifying through @fastify/jwt (decode, options
 * merge, secret lookup, its cache's SHA-256 of the token) cost ~13 % of a read's CPU where a map lookup
 * costs next to nothing. Bounded: past `capacity` the oldest entry goes.
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
    if (typeof sub !== 'string' || (role !== 'user' && role !== 'admin')) throw invalid();
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

/** Registers JWT support and the `authenticate` / `requireAdmin` hooks for every scope. */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, options) => {
    await app.register(fastifyJwt, {
      secret: options.secret,
      sign: { algorithm: 'HS256', expiresIn: options.accessTtlSeconds },
      verify: { algorithms: ['HS256'] },
    });
    const verify = headerVerifier((token) => app.jwt.verify(token));
    const authenticate = (request: FastifyRequest): void => {
      const header = request.headers.authorization;
      if (!header) throw httpErrors.unauthorized();
      request.user = verify(header);
    };
    // Callback hooks: the check is synchronous, and an async hook would cost a promise and a microtask turn.
    app.decorate('authenticate', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      try {
        authenticate(request);
      } catch (error) {
        return done(error as Error);
      }
      done();
    });
    app.decorate('requireAdmin', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      try {
        authenticate(request);
        if (request.user.role !== 'admin') throw httpErrors.forbidden('Administrators only');
      } catch (error) {
        return done(error as Error);
      }
      done();
    });
    app.decorate('issueAccessToken', (claims: AccessClaims) => app.jwt.sign({ sub: claims.sub, role: claims.role }));
  },
  { name: 'gx-auth' },
);

/** Throws 403 unless the caller is `profileId` or an admin. */
export function assertSelfOrAdmin(request: FastifyRequest, profileId: string): void {
  if (request.user.sub !== profileId && request.user.role !== 'admin') {
    throw httpErrors.forbidden('You may only access your own account');
  }
}

/** Throws 403 unless the caller is `profileId` (admins included: some actions are the owner's alone). */
export function assertSelf(request: FastifyRequest, profileId: string): void {
  if (request.user.sub !== profileId) throw httpErrors.forbidden('Only the account owner may do this');
}
