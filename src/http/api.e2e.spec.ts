/**
 * The API with the rest of the system, as docs/api.md describes the flows: devnet (real Fabric Gateway protocol,
 * gxtv3 chaincode), the outbox submitter and the projector, all on one real PostgreSQL database.
 */
import { transferScopes, transferTypes } from '@gx/chaincode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi } from '../../test/support/api-server.js';
import { devnetOnly, externalLedger, firstTierGenesis, ledgerParams } from '../../test/support/ledger.js';
import { scenarioParams } from '../../test/support/ledger-scenario.js';
import { followCommand, startTestSystem, type TestSystem } from '../../test/support/system.js';
import { systemParameters } from '../capabilities/admin/projection.js';
import type { LedgerClient } from '../ledger/index.js';

let system: TestSystem;
let ledger: LedgerClient;
let api: TestApi;
let admin: Session;
/** What a genesis pays: this file's parameters on its own devnet, the external ledger's otherwise. */
let genesis = firstTierGenesis(scenarioParams());

beforeAll(async () => {
  system = await startTestSystem('api-e2e');
  ({ ledger, api } = system);
  admin = await api.admin();
  if (externalLedger) {
    const params = await ledgerParams(ledger);
    genesis = firstTierGenesis(params);
    // The projection starts at the external ledger's current block, past its bootstrap: the fee cells the
    // quote reads are those the ledger holds, written as the projector writes them. The balances below check
    // the quote against what the ledger then charges.
    const client = await api.db.pool.connect();
    try {
      await systemParameters.write(
        client,
        transferTypes.flatMap((type) =>
          transferScopes.map((scope) => ({
            name: `fees.${type}.${scope}`,
            value: params.fees[type][scope],
            blockNumber: 0n,
          })),
        ),
      );
    } finally {
      client.release();
    }
  }
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

/** Follows the command's event stream to its end; returns the last event's name and data. */
const follow = (commandId: string, token: string) => followCommand(api, commandId, token);

async function accepted(response: { status: number; body: { commandId: string }; text: string }): Promise<string> {
  expect(response.status, response.text).toBe(202);
  return response.body.commandId;
}

describe('the API over the whole system', () => {
  let alice: Session;
  let bob: Session;
  let aliceId: string;
  let bobId: string;
  // An external ledger was bootstrapped once for the whole run (test/support/global-setup.ts).
  it.skipIf(externalLedger)(`bootstraps the system ${devnetOnly('bootstraps an empty ledger')}`, async () => {
    const commandId = await accepted(
      await api.request('POST', '/api/v1/bootstrap', {
        token: admin.accessToken,
        body: { params: scenarioParams() },
      }),
    );
    expect((await follow(commandId, admin.accessToken)).event).toBe('projected');
    const again = await api.request('POST', '/api/v1/bootstrap', { token: admin.accessToken });
    expect(again.status).toBe(409);
  });

  it('approval registers individuals on the ledger with their genesis: fabricUserId set, REGISTERED, a funded wallet', async () => {
    alice = await api.registerUser({ nationalityCountryCode: 'MY', gender: 'female' });
    bob = await api.registerUser({ nationalityCountryCode: 'SG', gender: 'male', dateOfBirth: '1979-02-28' });
    for (const user of [alice, bob]) {
      await api.passKyc(user);
      const approval = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
        token: admin.accessToken,
        body: { accountType: 0 },
      });
      const commandId = await accepted(approval);
      const end = await follow(commandId, admin.accessToken);
      expect(end.event, JSON.stringify(end.data)).toBe('projected');
      const profile = await api.request('GET', `/api/v1/users/${user.profileId}`, { token: user.accessToken });
      expect(profile.body).toMatchObject({
        status: 'APPROVED',
        onchainStatus: 'REGISTERED',
        fabricUserId: approval.body.fabricUserId,
      });
      expect(profile.body.onchainRegisteredAt).not.toBeNull();
      const wallet = await api.request('GET', '/api/v1/wallets/me', { token: user.accessToken });
      expect(wallet.status).toBe(200);
      expect(wallet.body).toMatchObject({ fabricUserId: approval.body.fabricUserId, balance: String(genesis) });
    }
    aliceId = (await api.request('GET', '/api/v1/users/me', { token: alice.accessToken })).body.fabricUserId;
    bobId = (await api.request('GET', '/api/v1/users/me', { token: bob.accessToken })).body.fabricUserId;
  });

  it('genesis came with the registration: a re-drive fails with GX_ALREADY_EXISTS', async () => {
    const commandId = await accepted(
      await api.request('POST', `/api/v1/admin/users/${alice.profileId}/genesis`, { token: admin.accessToken }),
    );
    const end = await follow(commandId, admin.accessToken);
    expect(end.event).toBe('failed');
    expect(String(end.data.error)).toContain('GX_ALREADY_EXISTS');
    const wallet = await api.request('GET', '/api/v1/wallets/me', { token: alice.accessToken });
    expect(wallet.body.balance).toBe(String(genesis));
  });

  it('a transfer moves tokens, charges the quoted fee and shows in both histories', async () => {
    const quote = await api.request(
      'GET',
      `/api/v1/fees/quote?toFabricUserId=${encodeURIComponent(bobId)}&amount=250`,
      {
        token: alice.accessToken,
      },
    );
    expect(quote.status, quote.text).toBe(200);
    const commandId = await accepted(
      await api.request('POST', '/api/v1/transfers', {
        token: alice.accessToken,
        body: { toFabricUserId: bobId, amount: '250', memo: 'lunch' },
      }),
    );
    const end = await follow(commandId, alice.accessToken);
    expect(end.event).toBe('projected');
    expect(end.data).toMatchObject({ status: 'COMMITTED', fabricTxId: expect.any(String) });
    const command = await api.request('GET', `/api/v1/commands/${commandId}`, { token: alice.accessToken });
    expect(command.body).toMatchObject({ status: 'COMMITTED', blockNumber: expect.any(Number) });
    expect((await api.request('GET', '/api/v1/wallets/me', { token: alice.accessToken })).body.balance).toBe(
      String(genesis - BigInt(quote.body.total)),
    );
    expect((await api.request('GET', '/api/v1/wallets/me', { token: bob.accessToken })).body.balance).toBe(
      String(genesis + 250n),
    );
    const history = await api.request('GET', '/api/v1/transactions', { token: bob.accessToken });
    expect(history.body.items[0]).toMatchObject({
      from: aliceId,
      to: bobId,
      amount: '250',
      memo: 'lunch',
      fee: quote.body.fee,
    });
  });

  it('insufficient funds ends the command FAILED with a clear error, never a negative balance', async () => {
    const commandId = await accepted(
      await api.request('POST', '/api/v1/transfers', {
        token: bob.accessToken,
        body: { toFabricUserId: aliceId, amount: String(genesis * 10n) },
      }),
    );
    const end = await follow(commandId, bob.accessToken);
    expect(end.event).toBe('failed');
    expect(end.data).toMatchObject({ status: 'FAILED', retrying: false });
    expect(String(end.data.error)).toMatch(/insufficient/i);
    expect((await api.request('GET', '/api/v1/wallets/me', { token: bob.accessToken })).body.balance).toBe(
      String(genesis + 250n),
    );
  });

  it('/readyz is ready and /admin/system sees the ledger', async () => {
    const ready = await api.request('GET', '/readyz', { token: admin.accessToken });
    expect(ready.status).toBe(200);
    expect(ready.body.checks.ledger.ok).toBe(true);
    const system = await api.request('GET', '/api/v1/admin/system', { token: admin.accessToken });
    expect(system.body.ledger.reachable).toBe(true);
    expect(system.body.projector.lastBlock).toEqual(expect.any(Number));
  });
});
