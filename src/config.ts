/**
 * Every setting of every role, read from the environment once and validated with zod.
 *
 * A role calls {@link loadConfig} at start-up; a missing or malformed variable raises a {@link ConfigError}
 * that names each bad variable, and the CLI prints it and exits non-zero. Settings that only some roles need
 * (Fabric credentials, JWT secret) are optional here and demanded by the role with {@link requireSettings},
 * which reports in the same format.
 */
import path from 'node:path';
import { roles as chaincodeRoles, type Role } from '@gx/chaincode';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** Readiness thresholds when GX_READY_* are unset (and for APIs built without a config, as in tests). */
export const READINESS_DEFAULTS = { maxLagBlocks: 10, maxLagMs: 60_000, maxPendingAgeMs: 60_000 } as const;

// Security settings (issue 26): limits, timeouts, proxy trust, token checks. README "Security" documents each.
const limit = z.coerce.number().int().min(0);
/** `GX_TRUST_PROXY`: unset (production: 1 hop, else none), `false`, a hop count, or addresses/CIDRs. */
const trustProxySetting = z
  .string()
  .trim()
  .transform((value, context): TrustProxy | undefined => {
    if (value === '') return undefined;
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const bad = entries.filter(
      (item) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(item) && !/^(loopback|linklocal|uniquelocal)$/.test(item),
    );
    if (bad.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `must be false, a hop count or addresses/CIDRs; not ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });
const securityEnv = {
  GX_RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  GX_RATE_LIMIT_PER_IP: limit.default(600),
  GX_RATE_LIMIT_PER_USER: limit.default(1200),
  GX_RATE_LIMIT_AUTH_PER_IP: limit.default(60),
  GX_TRUST_PROXY: trustProxySetting.optional(),
  GX_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: positiveInt.default(5),
  GX_LOGIN_FAILURES_PER_SOURCE: positiveInt.default(50),
  GX_HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  GX_HTTP_CONNECTION_TIMEOUT_MS: positiveInt.default(60_000),
  GX_HTTP_DRAIN_LIMIT_BYTES: limit.default(8 * 1024 * 1024),
  GX_JWT_ISSUER: z.string().min(1).default('gx-protocol'),
  GX_JWT_AUDIENCE: z.string().min(1).default('gx-api'),
  GX_JWT_PREVIOUS_SECRETS: commaList
    .pipe(z.array(z.string().min(32, 'each secret must be at least 32 characters')))
    .default([]),
  GX_AUTH_STATE_CACHE_MS: limit.default(1000),
  GX_REFRESH_REUSE_GRACE_SECONDS: limit.default(10),
  GX_APPROVAL_TTL_SECONDS: positiveInt.default(24 * 3600),
  GX_ARGON2_CONCURRENCY: positiveInt.optional(),
  GX_ARGON2_MAX_WAIT_MS: positiveInt.default(1000),
  GX_SSE_MAX_STREAMS: positiveInt.default(2000),
  GX_SSE_MAX_STREAMS_PER_USER: positiveInt.default(100),
  GX_SSE_MAX_LIFETIME_MS: positiveInt.default(600_000),
};

/** Which X-Forwarded-For hops to trust: none, a hop count, or the proxies' addresses/CIDRs. */
export type TrustProxy = false | number | string[];

/** The security settings of `gx api` (README, Security). */
export interface SecuritySettings {
  rateLimits: { windowMs: number; perIp: number; perUser: number; authPerIp: number };
  trustProxy: TrustProxy;
  login: { failuresPerAccountSource: number; failuresPerSource: number };
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  drainLimitBytes: number;
  jwt: { issuer: string; audience: string; previousSecrets: string[] };
  authStateCacheMs: number;
  refreshReuseGraceSeconds: number;
  /** Password hashes and verifications at once (undefined: the machine's cores), and the longest wait for one. */
  passwordWork: { concurrency: number | undefined; maxWaitMs: number };
  /** Server-Sent Event streams: per process, per user, and how long one may stay open. */
  eventStreams: { maxStreams: number; maxPerUser: number; maxLifetimeMs: number };
}

/**
 * The standard OpenTelemetry variables that decide whether a role traces (README, Tracing); the SDK reads
 * them (and the other OTEL_* variables) itself. Validated here so that a typo stops the role like any other.
 */
const tracingEnv = {
  OTEL_SDK_DISABLED: booleanFlag.default(false),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: optionalText,
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
};

/** Request logging (README, Configuration): which lines `gx api` writes per request. */
export interface RequestLogSettings {
  /** Level of a sampled access line; `silent` writes none (errors and slow requests are still logged). */
  level: 'trace' | 'debug' | 'info' | 'warn' | 'silent';
  /** Share of ordinary requests that get an access line, 0 … 1. */
  sampleRate: number;
  /** A request taking at least this long is always logged, at `warn`. */
  slowMs: number;
}

/** Request logging when GX_REQUEST_LOG_* are unset outside production (and for APIs built without a config). */
export const REQUEST_LOG_DEFAULTS: RequestLogSettings = { level: 'info', sampleRate: 1, slowMs: 1000 };
/**
 * The sample rate when unset in production: one line per request filled 206 MB per 400k requests. Every
 * request is still counted in the metrics, and failures and slow requests are always logged.
 */
export const PRODUCTION_REQUEST_LOG_SAMPLE_RATE = 0.01;

/** Environment variable → schema. The variable name is the key, so errors can name it exactly. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  GX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GX_DATA_DIR: z.string().min(1).default('./.gx'),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PGHOST: optionalText,
  PGPORT: port.optional(),
  PGUSER: optionalText,
  PGPASSWORD: z.string().optional(),
  PGDATABASE: optionalText,
  GX_DB_POOL_SIZE: positiveInt.default(10),
  GX_EMBEDDED_PG_PORT: port.default(54329),

  GX_HTTP_HOST: z.string().min(1).optional(),
  GX_HTTP_PORT: port.default(3000),
  GX_METRICS_PORT: port.default(9464),
  GX_CORS_ORIGINS: commaList.default([]),
  GX_BODY_LIMIT_BYTES: positiveInt.default(65_536),
  GX_PURGE_INTERVAL_MS: limit.default(3_600_000),
  GX_REQUEST_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'silent']).default(REQUEST_LOG_DEFAULTS.level),
  GX_REQUEST_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).optional(),
  GX_REQUEST_LOG_SLOW_MS: positiveInt.default(REQUEST_LOG_DEFAULTS.slowMs),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),

  GX_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  GX_JWT_ACCESS_TTL_SECONDS: positiveInt.default(900),
  GX_JWT_REFRESH_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  GX_ADMIN_EMAIL: z.email().optional(),
  GX_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  GX_KYC_ENCRYPTION_KEYS: optionalText,
  // Admin approval of a user waits for KYC_APPROVED; off only for development (docs/domain.md).
  GX_KYC_REQUIRED: booleanFlag.default(true),
  GX_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  GX_MAIL_FROM: z.string().min(3).default('GX Protocol <no-reply@gx.local>'),

  GX_FABRIC_PEER_ENDPOINT: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, 'must be host:port')
    .optional(),
  GX_FABRIC_TLS: booleanFlag.default(true),
  GX_FABRIC_TLS_CA: optionalText,
  GX_FABRIC_TLS_HOST_OVERRIDE: optionalText,
  GX_FABRIC_MSP_ID: optionalText,
  // One identity per backend role (FABRIC_ROLES); each a path to, or the PEM of, a certificate or its key.
  GX_FABRIC_SUPER_ADMIN_CERT: optionalText,
  GX_FABRIC_SUPER_ADMIN_KEY: optionalText,
  GX_FABRIC_ADMIN_CERT: optionalText,
  GX_FABRIC_ADMIN_KEY: optionalText,
  GX_FABRIC_REGISTRAR_CERT: optionalText,
  GX_FABRIC_REGISTRAR_KEY: optionalText,
  GX_FABRIC_TRANSFER_CERT: optionalText,
  GX_FABRIC_TRANSFER_KEY: optionalText,
  GX_FABRIC_READER_CERT: optionalText,
  GX_FABRIC_READER_KEY: optionalText,
  // The single client identity of earlier versions; refused with a pointer to its replacements.
  GX_FABRIC_CLIENT_CERT: z
    .undefined({ error: 'was replaced by one identity per role (GX_FABRIC_<ROLE>_CERT/KEY)' })
    .optional(),
  GX_FABRIC_CLIENT_KEY: z
    .undefined({ error: 'was replaced by one identity per role (GX_FABRIC_<ROLE>_CERT/KEY)' })
    .optional(),
  GX_FABRIC_CHANNEL: z.string().min(1).default('gxchannel'),
  GX_FABRIC_CHAINCODE: z.string().min(1).default('gxtv3'),

  GX_SUBMITTER_WINDOW: positiveInt.default(1024),
  GX_SUBMITTER_BATCH_SIZE: positiveInt.default(256),
  GX_SUBMITTER_MAX_ATTEMPTS: positiveInt.default(8),
  GX_SCHEDULER_INTERVAL_MS: positiveInt.default(10_000),

  GX_READY_MAX_LAG_BLOCKS: positiveInt.default(READINESS_DEFAULTS.maxLagBlocks),
  GX_READY_MAX_LAG_MS: positiveInt.default(READINESS_DEFAULTS.maxLagMs),
  GX_READY_MAX_PENDING_AGE_MS: positiveInt.default(READINESS_DEFAULTS.maxPendingAgeMs),

  ...securityEnv,
  ...tracingEnv,
});

export type EnvironmentVariable = keyof typeof envSchema.shape;

/** One bad variable and what is wrong with it. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Raised when the environment does not describe a usable configuration; names every bad variable. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Where the database is: an explicit URL, discrete PG* settings, or the embedded server in the data folder. */
export type DatabaseSettings =
  | { kind: 'url'; connectionString: string; poolSize: number }
  | {
      kind: 'discrete';
      host: string;
      port: number;
      user: string | undefined;
      password: string | undefined;
      database: string | undefined;
      poolSize: number;
    }
  | { kind: 'embedded'; dataDir: string; port: number; poolSize: number };

/**
 * The backend's Fabric identities, one per role, as the chaincode names them (`gx.role`, chaincode/src/
 * authorization.ts): `super_admin` bootstraps, `admin` mints genesis, `registrar` creates and locks users,
 * `transfer` moves tokens for users, `reader` only reads (the API's health check, the projector's events).
 */
/** The backend's Fabric identities: one per role the chaincode authorizes (`gx.role`). */
export const FABRIC_ROLES = chaincodeRoles;
export type FabricRole = Role;
/** The roles that sign transactions: every role but the read-only one. */
export type SigningRole = Exclude<FabricRole, 'reader'>;
export const SIGNING_ROLES = FABRIC_ROLES.filter((role): role is SigningRole => role !== 'reader');

/** The variables holding one role's certificate and key, e.g. `GX_FABRIC_SUPER_ADMIN_CERT`. */
export function fabricIdentityVariables(role: FabricRole): {
  cert: EnvironmentVariable;
  key: EnvironmentVariable;
} {
  const stem = `GX_FABRIC_${role.toUpperCase()}`;
  return { cert: `${stem}_CERT` as EnvironmentVariable, key: `${stem}_KEY` as EnvironmentVariable };
}

/** The certificate and key variables of `roles`, with their values: what {@link requireSettings} demands. */
export function fabricIdentitySettings(
  fabric: FabricSettings,
  roles: readonly FabricRole[],
): Partial<Record<EnvironmentVariable, string | undefined>> {
  return Object.fromEntries(
    roles.flatMap((role) => {
      const variables = fabricIdentityVariables(role);
      return [
        [variables.cert, fabric.identities[role].cert],
        [variables.key, fabric.identities[role].key],
      ];
    }),
  );
}

/** Path to, or PEM text of, one identity's certificate and private key. */
export interface FabricIdentitySettings {
  cert: string | undefined;
  key: string | undefined;
}

export interface FabricSettings {
  peerEndpoint: string | undefined;
  tls: boolean;
  /** Path to, or PEM text of, the CA that signed the peer's TLS certificate. */
  tlsCa: string | undefined;
  tlsHostOverride: string | undefined;
  mspId: string | undefined;
  /** One identity per role; a role without its variables is absent from the process (see FABRIC_ROLES). */
  identities: Record<FabricRole, FabricIdentitySettings>;
  channel: string;
  chaincode: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  database: DatabaseSettings;
  http: {
    host: string | undefined;
    port: number;
    metricsPort: number;
    corsOrigins: string[];
    bodyLimitBytes: number;
    redisUrl: string | undefined;
    /** How often each API process deletes expired idempotency keys and refresh tokens (0: never). */
    purgeIntervalMs: number;
    requestLog: RequestLogSettings;
  };
  auth: {
    jwtSecret: string | undefined;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    adminEmail: string | undefined;
    adminPassword: string | undefined;
    kycEncryptionKeys: string | undefined;
    /** Whether approving a user requires an approved KYC submission (GX_KYC_REQUIRED, default on). */
    kycRequired: boolean;
    /** How long a four-eyes request waits for its decision before it reads as EXPIRED. */
    approvalTtlSeconds: number;
  };
  /** Outgoing mail (src/mail/mail-setup.ts): SMTP when `smtpUrl` is set. */
  mail: { smtpUrl: string | undefined; from: string };
  fabric: FabricSettings;
  submitter: { window: number; batchSize: number; maxAttempts: number };
  /** Pause between two runs of each scheduler job. */
  scheduler: { intervalMs: number };
  /** Above these every role's `/readyz` says `degraded` (still 200): see src/observability/readiness.ts. */
  readiness: { maxLagBlocks: number; maxLagMs: number; maxPendingAgeMs: number };
  security: SecuritySettings;
  /**
   * On when an OTLP endpoint is set (or OTEL_TRACES_EXPORTER=otlp), unless OTEL_SDK_DISABLED=true or
   * OTEL_TRACES_EXPORTER=none: off by default, at no cost (src/observability/tracing.ts).
   */
  tracing: { enabled: boolean };
}

/** Reads and validates the environment. Throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.GX_DATA_DIR);
  return {
    env: e.NODE_ENV,
    logLevel: e.GX_LOG_LEVEL,
    dataDir,
    database: databaseSettings(e, dataDir),
    http: {
      host: e.GX_HTTP_HOST,
      port: e.GX_HTTP_PORT,
      metricsPort: e.GX_METRICS_PORT,
      corsOrigins: e.GX_CORS_ORIGINS,
      bodyLimitBytes: e.GX_BODY_LIMIT_BYTES,
      redisUrl: e.REDIS_URL,
      purgeIntervalMs: e.GX_PURGE_INTERVAL_MS,
      requestLog: {
        level: e.GX_REQUEST_LOG_LEVEL,
        sampleRate:
          e.GX_REQUEST_LOG_SAMPLE_RATE ??
          (e.NODE_ENV === 'production' ? PRODUCTION_REQUEST_LOG_SAMPLE_RATE : REQUEST_LOG_DEFAULTS.sampleRate),
        slowMs: e.GX_REQUEST_LOG_SLOW_MS,
      },
    },
    auth: {
      jwtSecret: e.GX_JWT_SECRET,
      accessTtlSeconds: e.GX_JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: e.GX_JWT_REFRESH_TTL_SECONDS,
      adminEmail: e.GX_ADMIN_EMAIL,
      adminPassword: e.GX_ADMIN_PASSWORD,
      kycEncryptionKeys: e.GX_KYC_ENCRYPTION_KEYS,
      kycRequired: e.GX_KYC_REQUIRED,
      approvalTtlSeconds: e.GX_APPROVAL_TTL_SECONDS,
    },
    mail: { smtpUrl: e.GX_SMTP_URL, from: e.GX_MAIL_FROM },
    fabric: {
      peerEndpoint: e.GX_FABRIC_PEER_ENDPOINT,
      tls: e.GX_FABRIC_TLS,
      tlsCa: e.GX_FABRIC_TLS_CA,
      tlsHostOverride: e.GX_FABRIC_TLS_HOST_OVERRIDE,
      mspId: e.GX_FABRIC_MSP_ID,
      identities: Object.fromEntries(
        FABRIC_ROLES.map((role) => {
          const variables = fabricIdentityVariables(role);
          return [role, { cert: e[variables.cert] as string | undefined, key: e[variables.key] as string | undefined }];
        }),
      ) as Record<FabricRole, FabricIdentitySettings>,
      channel: e.GX_FABRIC_CHANNEL,
      chaincode: e.GX_FABRIC_CHAINCODE,
    },
    submitter: {
      window: e.GX_SUBMITTER_WINDOW,
      batchSize: e.GX_SUBMITTER_BATCH_SIZE,
      maxAttempts: e.GX_SUBMITTER_MAX_ATTEMPTS,
    },
    scheduler: { intervalMs: e.GX_SCHEDULER_INTERVAL_MS },
    readiness: {
      maxLagBlocks: e.GX_READY_MAX_LAG_BLOCKS,
      maxLagMs: e.GX_READY_MAX_LAG_MS,
      maxPendingAgeMs: e.GX_READY_MAX_PENDING_AGE_MS,
    },
    security: securitySettings(e),
    tracing: {
      enabled:
        !e.OTEL_SDK_DISABLED &&
        e.OTEL_TRACES_EXPORTER !== 'none' &&
        (e.OTEL_TRACES_EXPORTER === 'otlp' ||
          e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
          e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined),
    },
  };
}

function securitySettings(e: z.infer<typeof envSchema>): SecuritySettings {
  return {
    rateLimits: {
      windowMs: e.GX_RATE_LIMIT_WINDOW_MS,
      perIp: e.GX_RATE_LIMIT_PER_IP,
      perUser: e.GX_RATE_LIMIT_PER_USER,
      authPerIp: e.GX_RATE_LIMIT_AUTH_PER_IP,
    },
    // Unset keeps the earlier behaviour: behind one ingress in production, direct otherwise.
    trustProxy: e.GX_TRUST_PROXY ?? (e.NODE_ENV === 'production' ? 1 : false),
    login: {
      failuresPerAccountSource: e.GX_LOGIN_FAILURES_PER_ACCOUNT_SOURCE,
      failuresPerSource: e.GX_LOGIN_FAILURES_PER_SOURCE,
    },
    requestTimeoutMs: e.GX_HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: e.GX_HTTP_CONNECTION_TIMEOUT_MS,
    drainLimitBytes: e.GX_HTTP_DRAIN_LIMIT_BYTES,
    jwt: { issuer: e.GX_JWT_ISSUER, audience: e.GX_JWT_AUDIENCE, previousSecrets: e.GX_JWT_PREVIOUS_SECRETS },
    authStateCacheMs: e.GX_AUTH_STATE_CACHE_MS,
    refreshReuseGraceSeconds: e.GX_REFRESH_REUSE_GRACE_SECONDS,
    passwordWork: { concurrency: e.GX_ARGON2_CONCURRENCY, maxWaitMs: e.GX_ARGON2_MAX_WAIT_MS },
    eventStreams: {
      maxStreams: e.GX_SSE_MAX_STREAMS,
      maxPerUser: e.GX_SSE_MAX_STREAMS_PER_USER,
      maxLifetimeMs: e.GX_SSE_MAX_LIFETIME_MS,
    },
  };
}

function databaseSettings(e: z.infer<typeof envSchema>, dataDir: string): DatabaseSettings {
  const poolSize = e.GX_DB_POOL_SIZE;
  if (e.DATABASE_URL) return { kind: 'url', connectionString: e.DATABASE_URL, poolSize };
  // Discrete settings exist because a password containing '/' or '=' broke the old deployment's URL.
  if (e.PGHOST) {
    return {
      kind: 'discrete',
      host: e.PGHOST,
      port: e.PGPORT ?? 5432,
      user: e.PGUSER,
      password: e.PGPASSWORD,
      database: e.PGDATABASE,
      poolSize,
    };
  }
  return { kind: 'embedded', dataDir: path.join(dataDir, 'postgres'), port: e.GX_EMBEDDED_PG_PORT, poolSize };
}

/**
 * Demands settings that the schema leaves optional because only some roles use them.
 * Throws one {@link ConfigError} naming every variable that is missing.
 */
export function requireSettings(required: Partial<Record<EnvironmentVariable, unknown>>): void {
  const missing = Object.entries(required)
    .filter(([, value]) => value === undefined || value === '')
    .map(([variable]) => ({ variable, message: 'is required for this role' }));
  if (missing.length > 0) throw new ConfigError(missing);
}

/**
 * `gx dev` and the tools a developer runs on its data folder (`gx migrate`, `gx verify`) may start the embedded
 * server; the roles that serve (api, submitter, projector) never do, lest a deployment that lost its database
 * settings run on an empty private database instead of failing.
 */
const EMBEDDED_DATABASE_ROLES: ReadonlySet<string> = new Set(['dev', 'migrate', 'verify']);

/**
 * Refuses to start `role` on the embedded server when it may not use one: always in production, and for the
 * serving roles anywhere. Throws a {@link ConfigError} naming the settings to give.
 */
export function refuseEmbeddedDatabase(config: Config, role: string): void {
  if (config.database.kind !== 'embedded') return;
  if (config.env !== 'production' && EMBEDDED_DATABASE_ROLES.has(role)) return;
  const where = config.env === 'production' ? 'with NODE_ENV=production' : `for gx ${role}`;
  throw new ConfigError([
    {
      variable: 'DATABASE_URL',
      message: `is required ${where} (or PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE): the embedded PostgreSQL server is for gx dev only`,
    },
  ]);
}
