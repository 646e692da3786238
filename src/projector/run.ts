/**
 * The `gx projector` role: stand by until this replica holds the projection lock, then project until the
 * lock is lost or the process is told to stop; and `gx projector rebuild`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, loadConfig, requireSettings } from '../config.js';
import { createLedgerClient } from '../ledger/index.js';
import { startRole, untilSignal } from '../runtime.js';
import { acquireLeadership } from './leadership.js';
import * as metrics from './metrics.js';
import { startProbeServer } from './probe-server.js';
import { createProjector, DEFAULT_PROJECTION, type Projector } from './projector.js';
import { rebuildProjection } from './rebuild.js';

function requireFabric(config: Config): void {
  requireSettings({
    GX_FABRIC_PEER_ENDPOINT: config.fabric.peerEndpoint,
    GX_FABRIC_MSP_ID: config.fabric.mspId,
    GX_FABRIC_CLIENT_CERT: config.fabric.clientCert,
    GX_FABRIC_CLIENT_KEY: config.fabric.clientKey,
  });
}

/** Runs `gx projector` until SIGINT/SIGTERM. */
export async function runProjector(): Promise<void> {
  const config = loadConfig();
  requireFabric(config);
  const { logger, db } = await startRole('projector', config);
  const stop = new AbortController();
  let active: Projector | undefined;
  metrics.isActive.set(0);
  const probes = await startProbeServer({
    port: config.http.metricsPort,
    pool: db.pool,
    logger,
    role: () => (active ? { role: 'active', status: active.status() } : { role: 'standby' }),
  });

  const work = (async () => {
    while (!stop.signal.aborted) {
      try {
        logger.info({ projection: DEFAULT_PROJECTION }, 'standing by for the projection lock');
        const leadership = await acquireLeadership(
          { clientConfig: db.clientConfig, projection: DEFAULT_PROJECTION, logger },
          stop.signal,
        );
        if (!leadership) break;
        logger.info({ projection: DEFAULT_PROJECTION }, 'holding the projection lock: active');
        const ledger = await createLedgerClient(config.fabric, { logger, name: 'projector' });
        try {
          active = createProjector({ pool: db.pool, source: ledger, logger });
          metrics.isActive.set(1);
          await active.run(AbortSignal.any([stop.signal, leadership.lost]));
          if (leadership.lost.aborted && !stop.signal.aborted) logger.warn('projection lock lost; standing by again');
        } finally {
          active = undefined;
          metrics.isActive.set(0);
          await ledger.close().catch(() => undefined);
          await leadership.release();
        }
      } catch (error) {
        if (stop.signal.aborted) break;
        logger.error({ err: error }, 'projector failed; retrying');
        await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  })();

  await untilSignal(logger, async () => {
    stop.abort();
    await work;
    await probes.close();
    await db.close();
  });
}

/** Runs `gx projector rebuild`: replays the ledger into fresh read models and switches over, then exits. */
export async function runProjectorRebuild(): Promise<void> {
  const config = loadConfig();
  requireFabric(config);
  const { logger, db } = await startRole('projector', config);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const ledger = await createLedgerClient(config.fabric, { logger, name: 'projector-rebuild' });
  try {
    const result = await rebuildProjection(
      { pool: db.pool, clientConfig: db.clientConfig, source: ledger, logger },
      stop.signal,
    );
    process.stdout.write(
      `Rebuilt projection "${DEFAULT_PROJECTION}" from block 0: ${result.events} events, up to block ${
        result.checkpoint?.blockNumber ?? 'none'
      }; switched over in ${Math.round(result.switchMs)} ms.\n`,
    );
  } finally {
    await ledger.close().catch(() => undefined);
    await db.close();
  }
}
