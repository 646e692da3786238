/**
 * The `gx projector` role: stand by until this replica holds the projection lock, then project until the
 * lock is lost or the process is told to stop; and `gx projector rebuild`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, fabricIdentitySettings, loadConfig, requireSettings } from '../config.js';
import { createLedgerClient } from '../ledger/index.js';
import { checkLedgerTarget } from '../ledger/target-check.js';
import { startProbeServer } from '../observability/probe-server.js';
import { databaseChecks, lagWithin, readinessOf } from '../observability/readiness.js';
import { type RoleContext, startRole, untilSignal } from '../runtime.js';
import { readProjectionLag } from './lag.js';
import { acquireLeadership } from './leadership.js';
import * as metrics from './metrics.js';
import { createProjector, DEFAULT_PROJECTION, type Projector, type ProjectorStatus } from './projector.js';
import { rebuildProjection } from './rebuild.js';

function requireFabric(config: Config): void {
  requireSettings({
    GX_FABRIC_PEER_ENDPOINT: config.fabric.peerEndpoint,
    GX_FABRIC_MSP_ID: config.fabric.mspId,
    // The projector only reads: the reader identity, never a signing key.
    ...fabricIdentitySettings(config.fabric, ['reader']),
  });
}

/**
 * Refuses to start (exit 2, naming the setting) when the peer does not know the channel, the chaincode or the
 * identity: the event stream would otherwise be refused (PERMISSION_DENIED) and reopened forever.
 */
async function checkTarget(context: RoleContext): Promise<void> {
  const ledger = await createLedgerClient(context.config.fabric, { logger: context.logger, name: 'projector' });
  try {
    await checkLedgerTarget(ledger, context.config.fabric, context.logger);
  } catch (error) {
    await context.db.close();
    throw error;
  } finally {
    await ledger.close();
  }
}

/** A running projector role: active when it holds the projection lock, standing by otherwise. */
export interface ProjectorRoleHandle {
  /** `active` with the projection loop's status, or `standby`. */
  role(): { role: 'active' | 'standby'; status?: ProjectorStatus };
  /** Stops projecting (or standing by) and releases the lock. */
  stop(): Promise<void>;
}

/**
 * Starts the projector role inside an already started process (its config, logger and database): `gx
 * projector` and `gx dev` both use this. Requires the GX_FABRIC_* settings.
 */
export function startProjectorRole(context: RoleContext): ProjectorRoleHandle {
  const { config, logger, db } = context;
  requireFabric(config);
  const stop = new AbortController();
  let active: Projector | undefined;
  metrics.isActive.set(0);
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
        const ledger = await createLedgerClient(config.fabric, { logger, name: 'projector', access: 'read' });
        try {
          active = createProjector({ pool: db.pool, source: ledger, logger });
          metrics.isActive.set(1);
          await active.run(AbortSignal.any([stop.signal, leadership.lost]));
          if (leadership.lost.aborted && !stop.signal.aborted) logger.warn('projection lock lost; standing by again');
        } finally {
          active = undefined;
          metrics.isActive.set(0);
          // A standby applies nothing: it must not keep reporting the lag it last saw as the active one.
          metrics.lagBlocks.set(0);
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
  return {
    role: () => (active ? { role: 'active', status: active.status() } : { role: 'standby' }),
    async stop() {
      stop.abort();
      await work;
    },
  };
}

/** Runs `gx projector` until SIGINT/SIGTERM, with /metrics, /livez and /readyz on GX_METRICS_PORT. */
export async function runProjector(): Promise<void> {
  const config = loadConfig();
  requireFabric(config);
  const context = await startRole('projector', config);
  const { logger, db } = context;
  await checkTarget(context);
  const role = startProjectorRole(context);
  const probes = await startProbeServer({
    port: config.http.metricsPort,
    readiness: async () => {
      const database = await databaseChecks(db.pool);
      const { role: current, status } = role.role();
      if (!database.database.ok || !database.schema?.ok) return readinessOf(database);
      const lag = await readProjectionLag(db.pool);
      const streamFailures = status?.consecutiveFailures ?? 0;
      return readinessOf(database, {
        projector: {
          ok: lagWithin(lag, config.readiness) && streamFailures === 0,
          role: current,
          ...lag,
          streamFailures,
        },
      });
    },
  });
  logger.info({ port: probes.port }, 'probe server listening');
  await untilSignal(logger, async () => {
    await role.stop();
    await probes.close();
    await db.close();
  });
}

/** Runs `gx projector rebuild`: replays the ledger into fresh read models and switches over, then exits. */
export async function runProjectorRebuild(): Promise<void> {
  const config = loadConfig();
  requireFabric(config);
  const context = await startRole('projector', config);
  const { logger, db } = context;
  await checkTarget(context);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const ledger = await createLedgerClient(config.fabric, { logger, name: 'projector-rebuild', access: 'read' });
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
