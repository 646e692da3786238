/**
 * Authentication (short-lived HS256 access tokens, @fastify/jwt) and the authorization checks routes use.
 */
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../services/profiles.js';
import { httpErrors } from './errors.js';

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
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** onRequest hook: 401 without a valid token, 403 unless its role is admin. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Signs an access token. */
    issueAccessToken(claims: AccessClaims): string;
  }
}

export interface AuthOptions {
  secret: string;
  accessTtlSeconds: number;
}

async function verify(request: FastifyRequest): Promise<void> {
  if (!request.headers.authorization) throw httpErrors.unauthorized();
  try {
    await request.jwtVerify();
  } catch {
    throw httpErrors.unauthorized('The access token is invalid or expired');
  }
  const user = request.user as Partial<AccessClaims>;
  if (typeof user.sub !== 'string' || (user.role !== 'user' && user.role !== 'admin')) {
    throw httpErrors.unauthorized('The access token is invalid or expired');
  }
}

/** Registers JWT support and the `authenticate` / `requireAdmin` hooks for every scope. */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, options) => {
    await app.register(fastifyJwt, {
      secret: options.secret,
      sign: { algorithm: 'HS256', expiresIn: options.accessTtlSeconds },
      // Verified tokens are cached (LRU, keyed by a hash of the token): clients reuse one token per session.
      verify: { algorithms: ['HS256'], cache: 10_000 },
    });
    app.decorate('authenticate', async (request: FastifyRequest) => verify(request));
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      await verify(request);
      if (request.user.role !== 'admin') throw httpErrors.forbidden('Administrators only');
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
