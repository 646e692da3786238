/**
 * `gx submitter`: the outbox submitter role as a process.
 */
import { ConfigError, loadConfig } from '../config.js';
import { CredentialError, createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { checkLedgerTarget } from '../ledger/target-check.js';
import { startProbeServer } from '../observability/probe-server.js';
import { startRole, untilSignal } from '../runtime.js';
import { submitterReadiness } from './readiness.js';
import { startSubmitter } from './submitter.js';

/** Runs the submitter until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runSubmitter(): Promise<void> {
  const config = loadConfig();
  const { logger, db } = await startRole('submitter', config);
  let ledger: LedgerClient;
  try {
    ledger = await createLedgerClient(config.fabric, { logger, name: 'submitter', probeIntervalMs: 15_000 });
  } catch (error) {
    await db.close();
    // Same exit code and format as any other bad setting: the variable is named.
    if (error instanceof CredentialError)
      throw new ConfigError([{ variable: error.variable, message: error.message.slice(error.variable.length + 2) }]);
    throw error;
  }
  // Refuses a channel, chaincode or identity the peer does not know (exit 2, naming the setting); also reports
  // fabric_ledger_reachable at once rather than after the first probe interval.
  try {
    await checkLedgerTarget(ledger, config.fabric, logger);
  } catch (error) {
    await ledger.close();
    await db.close();
    throw error;
  }
  const submitter = await startSubmitter({
    pool: db.pool,
    clientConfig: db.clientConfig,
    ledger,
    logger,
    window: config.submitter.window,
    batchSize: config.submitter.batchSize,
    maxAttempts: config.submitter.maxAttempts,
  });
  const probes = await startProbeServer({
    host: config.http.host,
    port: config.http.metricsPort,
    readiness: () => submitterReadiness(db.pool, ledger, submitter),
  });
  logger.info({ metricsPort: probes.port }, 'submitter serving /metrics, /livez, /readyz');
  await untilSignal(logger, async () => {
    await submitter.stop();
    await probes.close();
    await ledger.close();
    await db.close();
  });
}
