/**
 * Rate limits (@fastify/rate-limit's counters, in Redis when configured so all replicas share them, else in
 * memory): per client IP on every API route, a stricter per-IP limit on the credential routes (login,
 * register, refresh), and per user on authenticated routes. Exceeding one answers 429 with Retry-After.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
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

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { perIp: 6000, perUser: 1200, authPerIp: 60, windowMs: 60_000 };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A credential route: the stricter per-IP limit applies too. */
    authRateLimit?: boolean;
    /** Probes and metrics are never limited. */
    noRateLimit?: boolean;
  }
}

export type Limiter = (request: FastifyRequest) => Promise<void>;

/**
 * Registers the store and the per-IP hooks on `app`; returns the per-user limiter that authenticated routes
 * run after authentication (undefined when that limit is off).
 */
export async function setUpRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<Limiter | undefined> {
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
  const perIp = limiter(settings.perIp, (request) => `ip:${request.ip}`);
  const authPerIp = limiter(settings.authPerIp, (request) => `auth:${request.ip}`);
  const perUser = settings.perUser > 0 ? limiter(settings.perUser, (request) => `user:${request.user.sub}`) : undefined;
  if (settings.perIp <= 0 && settings.authPerIp <= 0) return perUser;
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.noRateLimit) return;
    await perIp(request);
    if (config.authRateLimit) await authPerIp(request);
  });
  return perUser;
}
