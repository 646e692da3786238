/**
 * Per-route policies, declared in the route's `config` and wired here once, when the route is added
 * (Fastify's `onRoute`), instead of each route listing its hooks:
 *
 * - `auth: Role`: a valid access token for an existing, unlocked account whose role holds that role's rights
 *   (auth.ts `ROLES`: `auditor` for admin reads, `admin` for admin actions, `super_admin` for four-eyes
 *   decisions) before anything else, then the per-user rate limit; a failed authentication counts against the per-IP
 *   limit, so guessing tokens is limited too;
 * - `idempotent: true`: Idempotency-Key claimed before the handler and the answer stored after it;
 * - `authRateLimit`, `noRateLimit`: see rate-limits.ts (per-IP limits, checked for every request).
 *
 * Routes without these flags get no hook at all, so an unauthenticated route pays nothing for them.
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Role } from './auth.js';
import { idempotencyHooks } from './idempotency.js';
import { type Limiter, type RateLimitSettings, setUpRateLimits } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs an access token whose role holds this role's rights (`user`: any account). */
    auth?: Role;
  }
}

export interface RoutePolicyOptions {
  pool: pg.Pool;
  rateLimits: RateLimitSettings;
}

/** Hooks a route option may hold: one, several, or none. */
function listOf<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

/** Runs an authentication hook; when it refuses, the request counts against (and may exceed) the per-IP limit. */
function countFailuresPerIp(check: onRequestHookHandler, perIp: Limiter): onRequestHookHandler {
  return function authenticate(this: unknown, request: FastifyRequest, reply: FastifyReply, done) {
    check.call(this as never, request, reply, (error?: Error) => {
      if (!error) return done();
      perIp(request).then(
        () => done(error),
        (limited: Error) => done(limited),
      );
    });
  };
}

/** Registers the rate-limit store, the per-IP hook and the `onRoute` wiring; must precede the routes. */
export const routePolicies = fp<RoutePolicyOptions>(
  async (app, options) => {
    const { perUser, perIp } = await setUpRateLimits(app, options.rateLimits);
    const idempotency = idempotencyHooks(options.pool);
    app.addHook('onRoute', (route) => {
      const config = route.config ?? {};
      const onRequest: onRequestHookHandler[] = [];
      const preHandler: preHandlerHookHandler[] = [];
      if (config.auth !== undefined) {
        const check = app.requireRole(config.auth);
        onRequest.push(perIp ? countFailuresPerIp(check, perIp) : check);
      }
      if (config.auth !== undefined && perUser !== undefined) preHandler.push(perUser);
      if (config.idempotent) {
        preHandler.push(idempotency.preHandler);
        route.onSend = [idempotency.onSend, ...listOf(route.onSend)];
      }
      if (onRequest.length > 0) route.onRequest = [...onRequest, ...listOf(route.onRequest)];
      if (preHandler.length > 0) route.preHandler = [...preHandler, ...listOf(route.preHandler)];
    });
  },
  { name: 'gx-route-policies', dependencies: ['gx-auth'] },
);
