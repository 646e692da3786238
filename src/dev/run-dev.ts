/**
 * `gx dev`: the whole system in one process — devnet, submitter, projector, scheduler and API — on the embedded
 * PostgreSQL server (data in GX_DATA_DIR, default ./.gx) unless DATABASE_URL is set. Migrations are applied,
 * devnet identities and dev secrets are made once, the admin account is created and the system is
 * bootstrapped on first start. A second start resumes with all data. Ctrl-C stops everything cleanly.
 *
 * With GX_FABRIC_PEER_ENDPOINT set, no devnet is started: the roles use the Fabric network the GX_FABRIC_*
 * variables describe (an existing network, or a `gx devnet` started separately), as every other role does.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureFirstAdmin } from '../capabilities/identity/index.js';
import {
  type Config,
  FABRIC_ROLES,
  fabricIdentitySettings,
  loadConfig,
  refuseEmbeddedDatabase,
  requireSettings,
} from '../config.js';
import { migrate } from '../db/migrator.js';
import { openDatabase } from '../db/pool.js';
import { connectionEnvPath, writeConnectionEnv } from '../devnet/connection-env.js';
import { startDevnet } from '../devnet/index.js';
import { startApi } from '../http/run-api.js';
import { createLedgerClient } from '../ledger/index.js';
import { checkLedgerTarget } from '../ledger/target-check.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startTracing } from '../observability/tracing.js';
import { startProjectorRole } from '../projector/run.js';
import { type RoleContext, untilSignal } from '../runtime.js';
import { schedulerJobs, startSchedulerRole } from '../scheduler/run.js';
import { startSubmitter } from '../submitter/submitter.js';
import { bootstrapDevSystem } from './bootstrap.js';
import { devEnvironment, loadOrCreateDevSecrets, rememberDevAdmin } from './dev-secrets.js';
import { assertCurrentLedger } from './ledger-generation.js';

export interface DevOptions {
  /** gRPC port of the embedded devnet (unused with an external network). */
  devnetPort: number;
  /** Hold every transaction this long before commit (a production-like block time). */
  commitLatencyMs: number;
}

export interface RunningDev {
  config: Config;
  /** True when the roles use a configured Fabric network instead of an embedded devnet. */
  externalLedger: boolean;
  apiUrl: string;
  stop(): Promise<void>;
}

/** Starts every role in this process; resolves once the API accepts requests. */
export async function startDev(options: DevOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningDev> {
  const baseConfig = loadConfig(env);
  refuseEmbeddedDatabase(baseConfig, 'dev');
  const logger = createLogger({ level: baseConfig.logLevel, role: 'dev' });
  // Every role of this process shares one tracer provider (service gx-dev); untilSignal flushes it.
  if (baseConfig.tracing.enabled) await startTracing({ serviceName: 'gx-dev' });
  await mkdir(baseConfig.dataDir, { recursive: true });
  // The admin this system runs with (the environment's, else the file's), written back for `gx demo`.
  const secrets = await rememberDevAdmin(baseConfig.dataDir, await loadOrCreateDevSecrets(baseConfig.dataDir), {
    email: baseConfig.auth.adminEmail,
    password: baseConfig.auth.adminPassword,
  });
  const stops: Array<() => Promise<void>> = [];
  const externalLedger = baseConfig.fabric.peerEndpoint !== undefined;
  let config: Config;
  if (externalLedger) {
    config = loadConfig(devEnvironment(env, secrets));
    requireSettings({
      GX_FABRIC_MSP_ID: config.fabric.mspId,
      // Every role runs here: every identity.
      ...fabricIdentitySettings(config.fabric, FABRIC_ROLES),
    });
  } else {
    const devnet = await startDevnet({
      dataDir: baseConfig.dataDir,
      port: options.devnetPort,
      tls: false,
      commitLatencyMs: options.commitLatencyMs,
    });
    config = loadConfig({ ...devEnvironment(env, secrets), ...devnet.env() });
    stops.push(() => devnet.close());
    // So that other commands (`gx verify`) can reach this devnet: `set -a; . <file>; set +a`.
    await writeConnectionEnv(devnet, baseConfig.dataDir);
  }
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error) => logger.error({ err: error }, 'stop'));
  };
  try {
    const db = await openDatabase(config.database, { logger, applicationName: 'gx-dev' });
    stops.push(() => db.close());
    await migrate(db.pool);
    // Four-eyes needs a second super admin to approve the first's requests: a development system has one
    // from the start (dev-secrets.ts), made as the first is.
    await ensureFirstAdmin(db.pool, { email: secrets.approverEmail, password: secrets.approverPassword });
    const context: RoleContext = { config, logger, db };

    const ledger = await createLedgerClient(config.fabric, {
      logger: logger.child({ role: 'submitter' }),
      name: 'submitter',
    });
    stops.push(() => ledger.close());
    // On an external network: refuse a channel, chaincode or identity it does not know, naming the setting.
    await checkLedgerTarget(ledger, config.fabric, logger);
    await assertCurrentLedger(
      ledger,
      externalLedger
        ? 'deploy this release on a fresh channel (or a new chaincode name) and bootstrap it'
        : `stop gx dev, delete the data folder ${config.dataDir} (or point GX_DATA_DIR at a new one) and start again`,
    );
    const submitter = await startSubmitter({
      pool: db.pool,
      clientConfig: db.clientConfig,
      ledger,
      logger: logger.child({ role: 'submitter' }),
      window: config.submitter.window,
      batchSize: config.submitter.batchSize,
      maxAttempts: config.submitter.maxAttempts,
    });
    stops.push(() => submitter.stop());

    const projector = startProjectorRole({ ...context, logger: logger.child({ role: 'projector' }) });
    stops.push(() => projector.stop());

    const schedulerContext = { ...context, logger: logger.child({ role: 'scheduler' }) };
    const scheduler = startSchedulerRole(schedulerContext, schedulerJobs(schedulerContext));
    stops.push(() => scheduler.stop());

    const api = await startApi({ ...context, logger: logger.child({ role: 'api' }) }, { host: config.http.host });
    stops.push(() => api.close());

    const bootstrap = await bootstrapDevSystem(db.pool);
    if (bootstrap.error?.startsWith('GX_ALREADY_BOOTSTRAPPED')) {
      // An external network keeps its state: its parameters were set by an earlier bootstrap.
      logger.info('the ledger was bootstrapped before; its system parameters stay as they are');
    } else if (bootstrap.status !== 'COMMITTED') {
      logger.warn({ ...bootstrap }, 'the system bootstrap failed; genesis and transfers will be refused');
    }
    return { config, externalLedger, apiUrl: api.address, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The banner's admin line. The password is shown only for the development environment, where it is a dev
 * secret made for this data folder; with NODE_ENV=production or test it is an operator's secret and never
 * printed (nor is it in any other role: they log the admin's email only).
 */
export function adminLine(config: Pick<Config, 'env' | 'auth'>): string {
  const shown = config.env === 'development' ? config.auth.adminPassword : '(password not shown outside development)';
  return `  admin      ${config.auth.adminEmail} / ${shown}`;
}

function banner(dev: RunningDev, logger: Logger): string {
  const { config } = dev;
  const database =
    config.database.kind === 'embedded'
      ? `embedded PostgreSQL on port ${config.database.port}, data in ${config.database.dataDir}`
      : 'PostgreSQL from DATABASE_URL / PG*';
  logger.debug({ apiUrl: dev.apiUrl }, 'dev system up');
  return [
    '',
    'GX Protocol is running (gx dev).',
    `  API        ${dev.apiUrl}/api/v1`,
    `  API docs   ${dev.apiUrl}/docs   (OpenAPI: ${dev.apiUrl}/openapi.json)`,
    `  metrics    ${dev.apiUrl}/metrics   health: ${dev.apiUrl}/readyz`,
    ...(dev.externalLedger
      ? [
          `  ledger     ${config.fabric.peerEndpoint} (channel ${config.fabric.channel}, chaincode ${config.fabric.chaincode}; from GX_FABRIC_*)`,
        ]
      : [
          `  devnet     ${config.fabric.peerEndpoint} (channel ${config.fabric.channel}, chaincode ${config.fabric.chaincode})`,
          `             connection settings: ${connectionEnvPath(config.dataDir)}`,
        ]),
    `  database   ${database}`,
    adminLine(config),
    `  secrets    ${path.join(config.dataDir, 'dev-secrets.json')}`,
    '',
    'Try it: npm run demo (in another terminal). Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/** Runs `gx dev` until SIGINT/SIGTERM. */
export async function runDev(options: DevOptions): Promise<void> {
  const dev = await startDev(options);
  const logger = createLogger({ level: dev.config.logLevel, role: 'dev' });
  process.stdout.write(banner(dev, logger));
  await untilSignal(logger, () => dev.stop());
}
