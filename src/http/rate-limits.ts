/**
 * Rate limits (@fastify/rate-limit's counters, in Redis when configured so all replicas share them, else in
 * memory): per user on authenticated routes (clients behind one proxy or NAT do not share a budget), per client
 * IP on anonymous routes and on requests whose authentication fails, and a stricter per-IP limit on the
 * credential routes (login, register, refresh). IPv6 clients count by /64 (client-address.ts). Exceeding one
 * answers 429 with Retry-After. Every limit is a setting (GX_RATE_LIMIT_*, `gx api --rate-limit-*`).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { clientKey } from './client-address.js';
import { httpErrors } from './errors.js';

/** Requests allowed per window; 0 turns a limit off. */
export interface RateLimitSettings {
  perIp: number;
  perUser: number;
  /** Credential routes, per IP. */
  authPerIp: number;
  windowMs: number;
  redis?: Redis | undefined;
  /** Key prefix in Redis (replicas of one deployment share it). */
  namespace?: string;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { perIp: 600, perUser: 1200, authPerIp: 60, windowMs: 60_000 };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A credential route: the stricter per-IP limit applies too. */
    authRateLimit?: boolean;
    /** Probes and metrics are never limited. */
    noRateLimit?: boolean;
  }
}

export type Limiter = (request: FastifyRequest) => Promise<void>;

export interface Limiters {
  /** Per user; authenticated routes run it after authentication (undefined when off). */
  perUser: Limiter | undefined;
  /** Per IP; for a request to an authenticated route whose authentication failed (undefined when off). */
  perIp: Limiter | undefined;
}

/**
 * Registers the store and the per-IP hook of anonymous routes on `app`; returns the limiters the route
 * policies apply to authenticated routes.
 */
export async function setUpRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<Limiters> {
  await app.register(rateLimit, {
    global: false,
    timeWindow: settings.windowMs,
    // A Redis outage must not take the API down: requests then pass unlimited (and it is logged).
    skipOnError: true,
    nameSpace: settings.namespace ?? 'gx-rate-limit:',
    ...(settings.redis ? { redis: settings.redis } : {}),
  });
  const limiter = (max: number, key: (request: FastifyRequest) => string): Limiter => {
    if (max <= 0) return async () => {};
    const check = app.createRateLimit({ max, timeWindow: settings.windowMs, keyGenerator: key });
    return async (request) => {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) throw httpErrors.rateLimited(Math.max(1, result.ttlInSeconds));
    };
  };
  const perIp = limiter(settings.perIp, (request) => `ip:${clientKey(request.ip)}`);
  const authPerIp = limiter(settings.authPerIp, (request) => `auth:${clientKey(request.ip)}`);
  const perUser = settings.perUser > 0 ? limiter(settings.perUser, (request) => `user:${request.user.sub}`) : undefined;
  const limiters: Limiters = { perUser, perIp: settings.perIp > 0 ? perIp : undefined };
  if (settings.perIp <= 0 && settings.authPerIp <= 0) return limiters;
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Authenticated routes count per user (route-policies.ts); unmatched URLs count per IP like anonymous ones.
    if (config.noRateLimit || config.auth !== undefined) return;
    await perIp(request);
    if (config.authRateLimit) await authPerIp(request);
  });
  return limiters;
}
