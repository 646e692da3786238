/**
 * Projection lag on a channel shared with another chaincode: its blocks carry no gxtv3 events, yet they count
 * in the ledger height, and a projector that has applied every gxtv3 event is not behind. devnet serves gxtv3
 * and the kv fixture chaincode; the projector runs in process over the production ledger client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';
import { devnetOnly, externalLedger } from '../../test/support/ledger.js';
import { LedgerScenario } from '../../test/support/ledger-scenario.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { createLogger } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { readProjectionLag } from './lag.js';
import { createProjector, DEFAULT_PROJECTION, type Projector } from './projector.js';

const logger = createLogger({ level: 'silent', role: 'projector-lag-test' });

async function gauge(name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Number(metric?.values[0]?.value ?? Number.NaN);
}

describe.skipIf(externalLedger)(
  `projection lag on a shared channel ${devnetOnly('needs a second chaincode on the channel')}`,
  () => {
    let db: TestDatabase;
    let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
    let ledger: LedgerClient;
    let kvClient: TestGateway;
    let projector: Projector;
    const stop = new AbortController();
    let running: Promise<void>;

    beforeAll(async () => {
      db = await createTestDatabase({ migrated: true });
      devnet = await startTestDevnet({
        chaincodes: [
          { name: 'gxtv3', module: '@gx/chaincode' },
          { name: 'kv', module: KV_CHAINCODE },
        ],
      });
      const connection = devnet.connection;
      ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, {
        logger,
        reconnect: { initialMs: 50, maxMs: 500 },
      });
      kvClient = connectTestGateway(connection);
      projector = createProjector({ pool: db.pool, source: ledger, logger, heightIntervalMs: 100 });
      running = projector.run(stop.signal);
    });

    afterAll(async () => {
      stop.abort();
      await running;
      kvClient?.close();
      await ledger?.close();
      await devnet?.stop();
      await db?.drop();
    });

    it('counts blocks of another chaincode in the height, and is not behind for them', async () => {
      const bootstrap = await new LedgerScenario(ledger).bootstrap();
      const kv = kvClient.gateway.getNetwork('gxchannel').getContract('kv');
      let lastBlock = bootstrap.blockNumber;
      // One block each (submitted one after another): five blocks after the last gxtv3 event.
      for (let i = 0; i < 5; i += 1) {
        const commit = await kv.submitAsync('put', { arguments: [`lag-${i}`, 'x'] });
        const status = await commit.getStatus();
        expect(status.successful).toBe(true);
        lastBlock = status.blockNumber;
      }
      expect(lastBlock).toBeGreaterThanOrEqual(bootstrap.blockNumber + 5n);
      const height = lastBlock + 1n;

      await expect.poll(() => projector.status().ledgerHeight, { timeout: 20_000 }).toBe(height);
      expect(projector.status().checkpoint?.blockNumber).toBe(bootstrap.blockNumber);
      expect(projector.status().lagBlocks).toBe(0);
      expect(await gauge('projector_blockchain_height')).toBe(Number(height));
      expect(await gauge('projector_lag_blocks')).toBe(0);
      // What /readyz and /admin/system read: the true height, and no lag.
      await expect
        .poll(() => readProjectionLag(db.pool, DEFAULT_PROJECTION), { timeout: 10_000 })
        .toMatchObject({
          lastBlock: Number(bootstrap.blockNumber),
          scannedBlock: Number(lastBlock),
          ledgerHeight: Number(height),
          lagBlocks: 0,
        });
      // qscc GetChainInfo, where the height also comes from, agrees.
      expect(await ledger.ledgerHeight()).toBe(height);
    });
  },
);
