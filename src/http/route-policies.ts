/**
 * Per-route policies, declared in the route's `config` and wired here once, when the route is added
 * (Fastify's `onRoute`), instead of each route listing its hooks:
 *
 * - `auth: 'user' | 'admin'`: a valid access token (and the admin role) before anything else, then the
 *   per-user rate limit;
 * - `idempotent: true`: Idempotency-Key claimed before the handler and the answer stored after it;
 * - `authRateLimit`, `noRateLimit`: see rate-limits.ts (per-IP limits, checked for every request).
 *
 * Routes without these flags get no hook at all, so an unauthenticated route pays nothing for them.
 */
import type { onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { idempotencyHooks } from './idempotency.js';
import { type RateLimitSettings, setUpRateLimits } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs an access token (`user`), or one with the admin role (`admin`). */
    auth?: 'user' | 'admin';
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

/** Registers the rate-limit store, the per-IP hook and the `onRoute` wiring; must precede the routes. */
export const routePolicies = fp<RoutePolicyOptions>(
  async (app, options) => {
    const perUser = await setUpRateLimits(app, options.rateLimits);
    const idempotency = idempotencyHooks(options.pool);
    app.addHook('onRoute', (route) => {
      const config = route.config ?? {};
      const onRequest: onRequestHookHandler[] = [];
      const preHandler: preHandlerHookHandler[] = [];
      if (config.auth === 'admin') onRequest.push(app.requireAdmin);
      else if (config.auth === 'user') onRequest.push(app.authenticate);
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
