/**
 * What every role does before it serves: read the configuration, create the logger, open the database and
 * check that the code can run on its schema (the code's, or newer by
 * migrations declared compatible with it). Also the one place that turns SIGINT/SIGTERM into a clean stop.
 */
import { type Config, refuseEmbeddedDatabase } from './config.js';
import { assertSchemaCompatible } from './db/migrator.js';
import { type Database, openDatabase } from './db/pool.js';
import { createLogger, type Logger } from './observability/logger.js';
import { startTracing, stopTracing } from './observability/tracing.js';

export interface RoleContext {
  config: Config;
  logger: Logger;
  db: Database;
}

/**
 * Starts tracing when configured, opens the database for `role` and refuses (throwing SchemaMismatchError)
 * unless this code can run on its schema.
 */
export async function startRole(role: string, config: Config): Promise<RoleContext> {
  refuseEmbeddedDatabase(config, role);
  const logger = createLogger({ level: config.logLevel, role });
  if (config.tracing.enabled) {
    await startTracing({ serviceName: `gx-${role}` });
    logger.info('tracing on: spans go to the OTLP endpoint of OTEL_EXPORTER_OTLP_*');
  }
  const db = await openDatabase(config.database, { logger, applicationName: `gx-${role}` });
  try {
    await assertSchemaCompatible(db.pool);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { config, logger, db };
}

/**
 * Calls `stop` once on the first SIGINT or SIGTERM, then sends the spans still buffered; a second signal
 * exits at once. Resolves when both have finished.
 */
export function untilSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.info({ signal }, 'stopping');
      stop()
        .then(() => stopTracing())
        .then(resolve, reject);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
