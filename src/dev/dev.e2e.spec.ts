/**
 * The CQRS loop end to end: `gx dev` as a child process (real HTTP, real gRPC to its devnet, real
 * PostgreSQL), the demo story with assertions, then a SIGKILL in the middle of a stream of transfers and a
 * restart: nothing lost, nothing applied twice, read models equal to the ledger.
 * With GX_TEST_LEDGER=external, `gx dev` gets the external network's GX_FABRIC_* settings and embeds no devnet.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { type DevProcess, startDevProcess } from '../../test/support/dev-process.js';
import { devnetOnly, externalLedger, externalLedgerEnv, projectFromCurrentBlock } from '../../test/support/ledger.js';
import { ledgerWaitMs } from '../../test/support/ledger-wait.js';
import { freePort } from '../../test/support/ports.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerClient } from '../ledger/index.js';
import { createLogger } from '../observability/logger.js';
import { verifyReadModels } from '../verify/verify-read-models.js';
import { ApiClient, type CommandView } from './api-client.js';
import { type DemoResult, runDemoStory } from './demo-story.js';
import { loadOrCreateDevSecrets } from './dev-secrets.js';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
let devnetPort: number;
let dev: DevProcess | undefined;
let baseUrl: string;

beforeAll(async () => {
  // Migrated here (gx dev finds nothing to do) so that on an external ledger the projection can start at the
  // current block instead of replaying the network's history.
  db = await createTestDatabase({ migrated: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-e2e-'));
  await chmod(dataDir, 0o755);
  const httpPort = await freePort();
  devnetPort = await freePort();
  baseUrl = `http://127.0.0.1:${httpPort}`;
  env = {
    DATABASE_URL: db.url,
    GX_DATA_DIR: dataDir,
    GX_HTTP_PORT: String(httpPort),
    ...(externalLedger ? externalLedgerEnv() : {}),
  };
  if (externalLedger) {
    const ledger = await ledgerClient();
    try {
      await projectFromCurrentBlock(db.pool, ledger);
    } finally {
      await ledger.close();
    }
  }
  dev = await startDevProcess(['--devnet-port', String(devnetPort)], env);
}, 120_000);

afterAll(async () => {
  await dev?.kill();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function ledgerClient(): Promise<LedgerClient> {
  const logger = createLogger({ level: 'warn', role: 'e2e' });
  // On an external ledger the test also finds the current block with a Ping transaction (projectFromCurrentBlock),
  // which needs a signing identity.
  if (externalLedger) return createLedgerClient(loadConfig(externalLedgerEnv()).fabric, { logger, name: 'e2e' });
  const crypto = path.join(dataDir, 'devnet', 'crypto');
  const config = loadConfig({
    GX_FABRIC_PEER_ENDPOINT: `127.0.0.1:${devnetPort}`,
    GX_FABRIC_TLS: 'false',
    GX_FABRIC_MSP_ID: 'GxMSP',
    // The test only reads the ledger: the reader identity gx dev's devnet wrote.
    GX_FABRIC_READER_CERT: path.join(crypto, 'reader-cert.pem'),
    GX_FABRIC_READER_KEY: path.join(crypto, 'reader-key.pem'),
  });
  return createLedgerClient(config.fabric, { logger, name: 'e2e', access: 'read' });
}

async function balanceOnLedger(ledger: LedgerClient, fabricUserId: string): Promise<string> {
  const bytes = await ledger.evaluate('TokenomicsContract', 'GetBalance', [fabricUserId]);
  return (JSON.parse(Buffer.from(bytes).toString()) as { balance: string }).balance;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Transfers from one sender in the SIGKILL test: they conflict unless each gets a block of its own. */
const TRANSFERS = 40;

// On a real network each of the transfers waits for a block of its own (2 s on Fabric's test network: ~82 s
// for 40); the waits grow with the measured block interval (0 on devnet).
describe('gx dev', { timeout: ledgerWaitMs(180_000, 2 * TRANSFERS) }, () => {
  let story: DemoResult;

  it('runs the story through the public API: register, approve, genesis, transfer, overdraft refused, trust raised, a 2-of-3 payment', async () => {
    const secrets = await loadOrCreateDevSecrets(dataDir);
    story = await runDemoStory({
      baseUrl,
      adminEmail: secrets.adminEmail,
      adminPassword: secrets.adminPassword,
      // The tokenomics chapter pauses the ledger and uses the default country table: not on a shared external one.
      approver: externalLedger ? undefined : { email: secrets.approverEmail, password: secrets.approverPassword },
    });
    expect(story.alice.fabricUserId).toMatch(/^MY [0-9A-F]{3} [A-Z]{3}[0-9]{3} [0-9A-F][A-Z]{4} [0-9]{4}$/);
    expect(story.bob.fabricUserId).toMatch(/^SG /);
    expect(story.genesisBalances).toEqual({ alice: '500000000', bob: '500000000' });
    expect(story.transferAmount).toBe('125000000');
    // MY → SG is a cross-border P2P transfer above 100 GX: 25 bps on top, paid by alice (312,500 Qirat).
    expect(story.finalBalances).toEqual({ alice: '374687500', bob: '625000000' });
    expect(story.aliceHistory.map((item) => item.amount).sort()).toEqual(['125000000', '500000000']);
    expect(story.overdraft.outcome).toBe('failed');
    expect(story.overdraft.command).toMatchObject({ status: 'FAILED', retrying: false });
    expect(story.overdraft.command.error).toMatch(/GX_INSUFFICIENT_FUNDS/);
    // A confirmed SIBLING relationship: both scores rise from the base 10 by 15 family points.
    expect([story.trust.before.alice.score, story.trust.before.bob.score]).toEqual([10, 10]);
    expect(story.trust.after.alice).toEqual({
      score: 25,
      breakdown: { base: 10, family: 15, business: 0, friends: 0 },
    });
    expect(story.trust.after.bob.score).toBe(25);
    // A 2-of-3 organization of alice, bob and carol, funded with a tenth of alice's balance: alice's request
    // waits for a second approval, bob's executes it; MERCHANT LOCAL, 15 bps on top (28,101 Qirat).
    expect(story.organization).toMatchObject({
      funded: '37468750',
      amount: '18734375',
      statuses: { initiated: 'PENDING', approved: 'EXECUTED' },
      approvals: 2,
      organizationBalance: '18706274',
    });
    expect(story.organization.account).toMatch(/^MY [0-9A-F]{3} AAA000 1[A-Z]{4} [0-9]{4}$/);
  });

  it.skipIf(externalLedger)(
    `tells the tokenomics chapter: genesis by country, the quoted fee charged, freeze and four-eyes pause refusing ${devnetOnly('pauses the ledger; needs the default country table')}`,
    () => {
      const tokenomics = story.tokenomics;
      expect(tokenomics).toBeDefined();
      if (!tokenomics) return;
      expect(tokenomics.users.map(({ country, genesis }) => [country, genesis])).toEqual([
        ['ID', '500000000'],
        ['KE', '500000000'],
      ]);
      expect(tokenomics.users[0]?.fabricUserId).toMatch(/^ID /);
      // ID → KE, 40 GX: cross-border P2P up to 100 GX pays 15 bps.
      expect(tokenomics.quote).toEqual({
        type: 'P2P',
        scope: 'CROSS_BORDER',
        feeBps: 15,
        fee: '60000',
        total: '40060000',
      });
      expect(tokenomics.transfer).toEqual({ amount: '40000000', charged: '40060000', fee: '60000' });
      expect(tokenomics.frozenRefusal.outcome).toBe('failed');
      expect(tokenomics.frozenRefusal.command.error).toMatch(/GX_ACCOUNT_FROZEN/);
      expect(tokenomics.pausedRefusal.outcome).toBe('failed');
      expect(tokenomics.pausedRefusal.command.error).toMatch(/GX_SYSTEM_PAUSED/);
      expect(tokenomics.afterResume.outcome).toBe('projected');
    },
  );

  it('loses nothing and applies nothing twice when killed with SIGKILL mid-stream', async () => {
    const transfers = TRANSFERS;
    const commandIds: string[] = [];
    for (let i = 0; i < transfers; i++) {
      const accepted = await story.alice.client.post<{ commandId: string }>('/api/v1/transfers', {
        toFabricUserId: story.bob.fabricUserId,
        amount: '1',
        memo: `crash test ${i}`,
      });
      commandIds.push(accepted.commandId);
    }
    await dev?.kill();
    dev = await startDevProcess(['--devnet-port', String(devnetPort)], env);

    const secrets = await loadOrCreateDevSecrets(dataDir);
    const login = await new ApiClient(baseUrl).post<{ accessToken: string }>('/api/v1/auth/login', {
      email: secrets.adminEmail,
      password: secrets.adminPassword,
    });
    const admin = new ApiClient(baseUrl, login.accessToken);
    // Watched in the database (one query a round), then read once through the API as a client sees it.
    await until(
      'every accepted command to end',
      async () => {
        const open = await db.pool.query(
          `SELECT 1 FROM outbox_command WHERE id = ANY($1::uuid[])
              AND NOT (status = 'COMMITTED' OR (status = 'FAILED' AND next_attempt_at IS NULL)) LIMIT 1`,
          [commandIds],
        );
        return open.rowCount === 0 ? true : undefined;
      },
      ledgerWaitMs(60_000, transfers),
    );
    const finals = await Promise.all(commandIds.map((id) => admin.get<CommandView>(`/api/v1/commands/${id}`)));
    for (const view of finals) {
      if (view.status === 'FAILED') expect(view.error).toBeTruthy();
    }
    const committed = finals.filter((view) => view.status === 'COMMITTED').length;
    expect(committed).toBe(transfers);

    const ledger = await ledgerClient();
    try {
      const aliceOnLedger = await balanceOnLedger(ledger, story.alice.fabricUserId);
      // Each 1-Qirat cross-border transfer's 15 bps fee rounds down to 0. Before them alice funded the
      // organization: 37,468,750 plus the MERCHANT LOCAL fee (15 bps: 56,203).
      expect(aliceOnLedger).toBe(String(337_162_547 - committed));
      expect(await balanceOnLedger(ledger, story.bob.fabricUserId)).toBe(String(625_000_000 + committed));
      await until('the read model to catch up', async () => {
        const wallet = await story.alice.client.get<{ balance: string }>('/api/v1/wallets/me');
        return wallet.balance === aliceOnLedger ? true : undefined;
      });
      const report = await verifyReadModels(db.pool, ledger);
      // A shared external ledger holds other tests' users too, and its total supply moves with them: only this
      // story's users are this test's to compare there.
      const own = [
        story.alice.fabricUserId,
        story.bob.fabricUserId,
        story.organization.account,
        ...(story.tokenomics?.users ?? []).map((user) => user.fabricUserId),
      ];
      expect(externalLedger ? report.drift.filter((drift) => own.includes(drift.subject)) : report.drift).toEqual([]);
      // alice, bob and carol, and the tokenomics chapter's two (told on devnet only).
      expect(report.users).toBe(story.tokenomics ? 5 : 3);
      expect(externalLedger ? [] : report.violations).toEqual([]);
    } finally {
      await ledger.close();
    }
    const history = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM transaction_history WHERE fabric_user_id = $1`,
      [story.alice.fabricUserId],
    );
    // Genesis, the payment to bob, the organization's funding, then the crash test's transfers.
    expect(history.rows[0]?.n).toBe(3 + committed);
  });

  it('stops cleanly on Ctrl-C and resumes with all data', async () => {
    expect(await dev?.interrupt()).toBe(0);
    dev = await startDevProcess(['--devnet-port', String(devnetPort)], env);
    const wallet = await story.bob.client.get<{ balance: string }>('/api/v1/wallets/me');
    expect(wallet.balance).toBe(String(625_000_000 + TRANSFERS));
  });
});
