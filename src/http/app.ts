/**
 * The HTTP API as a Fastify instance: shared infrastructure (security headers, CORS, rate limits, JWT,
 * validation, OpenAPI, metrics, request ids, the root error handler), the health and command-status routes,
 * and one plugin per capability slice (listed in src/capabilities/index.ts).
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  type CapabilityContext,
  type CapabilityRoutes,
  type CapabilityService,
  capabilityRoutes,
  findAccountStates,
  type KycKeyring,
} from '../capabilities/index.js';
import { READINESS_DEFAULTS, type RequestLogSettings, type TrustProxy } from '../config.js';
import type { DevMailbox } from '../mail/dev-mailbox.js';
import type { Mailer } from '../mail/mailer.js';
import type { LedgerProbe } from '../observability/health.js';
import type { ReadinessThresholds } from '../observability/readiness.js';
import { createOutboxBatcher, type OutboxBatcherOptions } from '../outbox/group-commit.js';
import { findCommand } from '../outbox/status.js';
import { authPlugin } from './auth.js';
import { startCommandStatusHub } from './command-status-hub.js';
import { rootErrorHandler } from './error-handler.js';
import { httpErrors } from './errors.js';
import { jsonSerializerCompiler } from './json-serializer.js';
import { recordHttpRequest } from './metrics.js';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rate-limits.js';
import { AccessLogController, lazyChildLogger } from './request-logger.js';
import { routePolicies } from './route-policies.js';
import { commandRoutes, EVENT_STREAM_DEFAULTS, type EventStreamLimits } from './routes/command-routes.js';
import { devMailRoutes } from './routes/dev-mail-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { helmetHeaders } from './security-headers.js';
import { API_SERVICES, type ApiService } from './services.js';
import { traceRequests } from './tracing.js';
import { zodToOpenApi, zodValidatorCompiler } from './zod-schemas.js';

export interface ApiDependencies {
  pool: pg.Pool;
  /** Connection settings for the one LISTEN connection (command status events). */
  listenConfig: pg.ClientConfig;
  logger: Logger;
  jwtSecret: string;
  accessTtlSeconds?: number;
  refreshTtlSeconds?: number;
  corsOrigins?: readonly string[];
  bodyLimitBytes?: number;
  /** Default: all. */
  services?: readonly ApiService[];
  /** Absent: KYC submissions answer 503. */
  kycKeyring?: KycKeyring | undefined;
  /** Whether approving a user requires KYC_APPROVED (default true, GX_KYC_REQUIRED). */
  kycRequired?: boolean;
  /** Absent: the ledger is reported unreachable (degraded), never a failed readiness. */
  ledger?: LedgerProbe | undefined;
  rateLimits?: Partial<RateLimitSettings>;
  /** `/readyz` thresholds (default: GX_READY_*'s defaults). */
  readiness?: ReadinessThresholds | undefined;
  outbox?: OutboxBatcherOptions;
  /** How long a transfer may reuse its sender's lock/registration state (ms, default 1000; 0 = never). */
  senderCacheTtlMs?: number;
  /** Seconds a four-eyes request waits for its decision (default 24 h, GX_APPROVAL_TTL_SECONDS). */
  approvalTtlSeconds?: number;
  /** Server-Sent Event streams: per process, per user, lifetime (GX_SSE_*; defaults EVENT_STREAM_DEFAULTS). */
  eventStreams?: EventStreamLimits;
  /**
   * How many proxy hops of X-Forwarded-For to trust (the proxies in front: an ingress is 1), so per-IP limits
   * see the client. 0 (default): the socket's address. Trusting every hop would let clients spoof it.
   */
  trustProxyHops?: number;
  /** Which proxies to trust instead (GX_TRUST_PROXY): a hop count, or their addresses/CIDRs; wins over hops. */
  trustProxy?: TrustProxy | undefined;
  /** Access tokens: older secrets still verified (rotation), issuer and audience (README, Security). */
  jwtPreviousSecrets?: readonly string[];
  jwtIssuer?: string;
  jwtAudience?: string;
  /** How long an account's lock/role state is reused by authentication (ms, default 1000). */
  authStateCacheMs?: number;
  /** Whole-request deadline (headers and body, ms, default 30000) and idle socket timeout (default 60000). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Bytes of an oversized body read before the 413 is sent, so the client sees it (default 8 MiB). */
  drainLimitBytes?: number;
  /** Seconds a rotated refresh token still yields its successor (concurrent refreshes; default 10). */
  refreshReuseGraceSeconds?: number;
  /** Access lines: level, sampling, slow threshold (default: every request at info, slow from 1 s). */
  requestLog?: RequestLogSettings;
  /** Failed logins allowed per (account, source) and per source before backoff (default 5 and 50). */
  loginFailures?: { perAccountSource: number; perSource: number };
  /** Outgoing mail (src/mail/mail-setup.ts). Absent: the password-reset routes are not served. */
  mailer?: Mailer | undefined;
  /** The dev mailbox, served at GET /dev/mail; never given in production (mail-setup.ts). */
  devMailbox?: DevMailbox | undefined;
  /** The clock of the API's own expiries (password-reset tokens); default the system clock. */
  now?: () => Date;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/**
 * Headers of every answer: helmet's defaults, except its Content-Security-Policy, which suits HTML pages; a
 * JSON API needs only a fixed deny-all policy (/docs sets its own: swagger-ui staticCSP).
 */
const FIXED_HEADERS = Object.freeze({
  ...helmetHeaders({ contentSecurityPolicy: false }),
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
});

/** Builds the API (ready, not listening). Closing it closes what it opened (not the pool it was given). */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const services = new Set(deps.services ?? API_SERVICES);
  const bodyLimit = deps.bodyLimitBytes ?? 65_536;
  const requestTimeout = deps.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our loggers are pino's (deps.logger and its children).
    childLoggerFactory: (logger, bindings, options) => lazyChildLogger(logger as Logger, bindings, options),
    logController: new AccessLogController(deps.requestLog),
    bodyLimit,
    // proxy-addr asks hop by hop (0 = the socket's peer): trust exactly the configured proxies. A list of
    // addresses/CIDRs is compiled by proxy-addr itself.
    trustProxy: Array.isArray(deps.trustProxy)
      ? deps.trustProxy
      : (_address: string, hop: number) =>
          hop < (typeof deps.trustProxy === 'number' ? deps.trustProxy : (deps.trustProxyHops ?? 0)),
    // Slow clients (a body that trickles) get 408 and lose their connection: the whole request must arrive in
    // time, and an idle socket is closed. Node checks the deadlines every connectionsCheckingInterval (30 s by
    // default) and enforces requestTimeout only when headersTimeout is not longer (its default is 60 s).
    requestTimeout,
    connectionTimeout: deps.connectionTimeoutMs ?? 60_000,
    http: { connectionsCheckingInterval: Math.min(1000, requestTimeout), headersTimeout: requestTimeout },
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  app.setErrorHandler(rootErrorHandler(bodyLimit, deps.drainLimitBytes ?? 8 * 1024 * 1024));
  // JSON only: without this, text/plain bodies would be accepted as strings.
  app.removeContentTypeParser('text/plain');

  // Log lines of a request carry its id through request.log (reqId). No AsyncLocalStorage correlation scope
  // around requests: once one is active, every promise of the process pays async hooks (~10 % of a read's CPU).
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(FIXED_HEADERS);
    reply.header('x-request-id', request.id);
    done();
  });
  // A span per request when tracing is on (before any route is registered, so every handler runs in it).
  traceRequests(app);
  // Draining: answers to requests still in flight close their keep-alive connection, so close() can finish.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    recordHttpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });

  await app.register(cors, { origin: deps.corsOrigins && deps.corsOrigins.length > 0 ? [...deps.corsOrigins] : false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'GX Protocol API', version: '1.0.0', description: 'See docs/api.md: the contract with clients.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: zodToOpenApi,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true }, config: { noRateLimit: true } }, async () => app.swagger());

  await app.register(authPlugin, {
    secret: deps.jwtSecret,
    previousSecrets: deps.jwtPreviousSecrets ?? [],
    ...(deps.jwtIssuer ? { issuer: deps.jwtIssuer } : {}),
    ...(deps.jwtAudience ? { audience: deps.jwtAudience } : {}),
    accessTtlSeconds: deps.accessTtlSeconds ?? 900,
    accountStates: (ids) => findAccountStates(deps.pool, ids),
    stateCacheMs: deps.authStateCacheMs ?? 1000,
  });
  await app.register(routePolicies, { pool: deps.pool, rateLimits: { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits } });
  const outbox = createOutboxBatcher(deps.pool, deps.outbox);
  const context: CapabilityContext = {
    pool: deps.pool,
    outbox,
    ledger: deps.ledger,
    accessTtlSeconds: deps.accessTtlSeconds ?? 900,
    refreshTtlSeconds: deps.refreshTtlSeconds ?? 30 * 24 * 3600,
    kycKeyring: deps.kycKeyring,
    kycRequired: deps.kycRequired ?? true,
    senderCacheTtlMs: deps.senderCacheTtlMs ?? 1000,
    approvalTtlSeconds: deps.approvalTtlSeconds ?? 24 * 3600,
    // Concurrent refreshes derive the same successor token from this key (identity/refresh-tokens.ts).
    refreshKey: deps.jwtSecret,
    refreshReuseGraceSeconds: deps.refreshReuseGraceSeconds ?? 10,
    loginFailures: deps.loginFailures ?? { perAccountSource: 5, perSource: 50 },
    mailer: deps.mailer,
    now: deps.now ?? (() => new Date()),
  };

  await app.register(healthRoutes, {
    pool: deps.pool,
    ledger: deps.ledger,
    thresholds: deps.readiness ?? READINESS_DEFAULTS,
  });
  for (const [service, load] of Object.entries(capabilityRoutes) as Array<
    [CapabilityService, () => Promise<CapabilityRoutes>]
  >) {
    if (services.has(service)) await app.register(await load(), context);
  }
  if (services.has('commands')) {
    const hub = await startCommandStatusHub(deps.listenConfig, deps.logger, (id) => findCommand(deps.pool, id));
    app.addHook('onClose', () => hub.close());
    await app.register(commandRoutes, { pool: deps.pool, hub, limits: deps.eventStreams ?? EVENT_STREAM_DEFAULTS });
  }
  if (deps.devMailbox) await app.register(devMailRoutes, { mailbox: deps.devMailbox });
  app.addHook('onClose', () => outbox.drain());
  app.setNotFoundHandler((request) => {
    throw httpErrors.notFound(`Route ${request.method} ${request.url.split('?')[0]}`);
  });
  await app.ready();
  return app;
}
