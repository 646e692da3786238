/**
 * Every ledger-facing role (`gx api`, `gx submitter`, `gx projector`, as built) refuses to start when the peer
 * does not know its channel or chaincode, exiting 2 and naming the setting, instead of retrying for ever (a
 * real peer answers a wrong channel with UNAVAILABLE or FAILED_PRECONDITION). On an external network the
 * wrong names are made up, so the same assertions hold there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { KV_CHAINCODE } from '../../test/support/devnet.js';
import { devnetOnly, externalLedger, startTestLedger, type TestLedger } from '../../test/support/ledger.js';
import { freePort } from '../../test/support/ports.js';

let ledger: TestLedger;
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrated: true });
  ledger = await startTestLedger({
    devnet: {
      chaincodes: [
        { name: 'gxtv3', module: '@gx/chaincode' },
        { name: 'kv', module: KV_CHAINCODE },
      ],
    },
  });
});

afterAll(async () => {
  await ledger?.stop();
  await db?.drop();
});

const ROLES = ['api', 'submitter', 'projector'] as const;

async function start(role: (typeof ROLES)[number], overrides: Record<string, string>) {
  return runCli([role], {
    ...ledger.env(),
    DATABASE_URL: db.url,
    GX_JWT_SECRET: 'target-check-secret-target-check-secret',
    GX_HTTP_HOST: '127.0.0.1',
    GX_HTTP_PORT: String(await freePort()),
    GX_METRICS_PORT: String(await freePort()),
    ...overrides,
  });
}

describe('a role whose channel or chaincode the peer does not know', () => {
  it.each(ROLES)('gx %s exits 2 naming GX_FABRIC_CHANNEL for a channel the peer has not joined', async (role) => {
    const result = await start(role, { GX_FABRIC_CHANNEL: 'no-such-channel' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GX_FABRIC_CHANNEL:');
    expect(result.stderr).toContain('has not joined channel "no-such-channel"');
  });

  it.each(ROLES)('gx %s exits 2 naming GX_FABRIC_CHAINCODE for a chaincode not on the channel', async (role) => {
    const result = await start(role, { GX_FABRIC_CHAINCODE: 'no-such-chaincode' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GX_FABRIC_CHAINCODE:');
    expect(result.stderr).toContain('no chaincode "no-such-chaincode" is committed on channel');
  });

  it.skipIf(externalLedger)(
    `gx submitter exits 2 naming GX_FABRIC_CHAINCODE for another application's chaincode ${devnetOnly('needs a second chaincode on the channel')}`,
    async () => {
      const result = await start('submitter', { GX_FABRIC_CHAINCODE: 'kv' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('GX_FABRIC_CHAINCODE: chaincode "kv" on channel');
      expect(result.stderr).toContain('is not gxtv3');
    },
  );
});
