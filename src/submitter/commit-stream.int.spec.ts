/**
 * Commit outcomes from one filtered-block stream (src/ledger/commit-watcher.ts) instead of one CommitStatus
 * call per transaction, through the real client on devnet: outcomes (invalid ones included) match what
 * CommitStatus reports, a stream broken mid-run loses nothing, and the submitter records every command
 * exactly once while its stream is dropped.
 */
import { createPrivateKey } from 'node:crypto';
import { newUser, systemParams } from '@gx/chaincode/testing';
import { gateway, msp } from '@hyperledger/fabric-protos';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { connectTestGateway } from '../../test/support/devnet.js';
import {
  bootstrapTestLedger,
  devnetOnly,
  externalLedger,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { createUserPayload, devnetTransactionCount, waitForRows } from '../../test/support/outbox.js';
import { loadConfig } from '../config.js';
import { createLedgerClient, type LedgerCallRequest, type LedgerClient } from '../ledger/index.js';
import { signLowS } from '../ledger/signer.js';
import { createLogger } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { enqueueCommand } from '../outbox/enqueue.js';
import { startSubmitter } from './submitter.js';

const logger = createLogger({ level: 'silent', role: 'test' });

let devnet: TestLedger;
let db: TestDatabase;
/** Learns outcomes from the block stream (the default). */
let ledger: LedgerClient;
/** Asks CommitStatus for every transaction: the reference. */
let statusLedger: LedgerClient;

beforeAll(async () => {
  devnet = await startTestLedger();
  db = await createTestDatabase({ migrated: true });
  const settings = loadConfig(devnet.env()).fabric;
  ledger = await createLedgerClient(settings, { logger, name: 'stream-spec' });
  statusLedger = await createLedgerClient(settings, { logger, name: 'status-spec', commitOutcomes: 'commit-status' });
  await bootstrapTestLedger(ledger, systemParams());
});

afterEach(() => {
  if (!externalLedger) {
    devnet.faults.clear();
    devnet.setCommitLatency(0);
  }
});

afterAll(async () => {
  await ledger?.close();
  await statusLedger?.close();
  await db?.drop();
  await devnet?.stop();
});

/** Outcomes learned so far by `client`, by how they were learned. */
async function outcomesVia(client: string): Promise<{ blockStream: number; commitStatus: number }> {
  const metric = await registry.getSingleMetric('fabric_commit_outcomes_total')?.get();
  const count = (via: string) =>
    metric?.values.find((value) => value.labels.client === client && value.labels.via === via)?.value ?? 0;
  return { blockStream: count('block_stream'), commitStatus: count('commit_status') };
}

function createUser(): LedgerCallRequest {
  const user = newUser();
  return {
    contract: 'IdentityContract',
    fn: 'CreateUser',
    args: [`req-${user.fabricUserId}`, user.fabricUserId],
    transient: { user: user.userJson },
    signer: 'registrar',
  };
}

/** Endorses `count` fresh CREATE_USER transactions. */
async function endorseUsers(count: number) {
  return Promise.all(Array.from({ length: count }, () => ledger.endorse(createUser())));
}

/** What CommitStatus reports for committed bytes (the reference client resubmits them: no new transaction). */
async function reference(signedTransaction: Uint8Array) {
  const outcome = await statusLedger.commit('registrar', signedTransaction, { resubmission: true });
  return { transactionId: outcome.transactionId, blockNumber: outcome.blockNumber, code: outcome.code };
}

describe.skipIf(externalLedger)(
  `commit outcomes from the filtered block stream ${devnetOnly('needs fault injection')}`,
  () => {
    it('reports each outcome, invalid ones included, as CommitStatus does, learned from the stream', async () => {
      // The first transaction positions the stream (its own outcome may come from CommitStatus).
      await ledger.submit(createUser());
      const before = await outcomesVia('stream-spec');
      const endorsed = await endorseUsers(20);
      devnet.faults.forceMvccConflicts(1);
      const outcomes = await Promise.all(endorsed.map((e) => ledger.commit('registrar', e.signedTransaction)));
      const after = await outcomesVia('stream-spec');
      expect(after.blockStream - before.blockStream).toBe(20);
      expect(after.commitStatus - before.commitStatus).toBe(0);
      expect(outcomes.filter((o) => !o.successful).map((o) => o.code)).toEqual([11]);
      const expected = await Promise.all(endorsed.map((e) => reference(e.signedTransaction)));
      expect(outcomes.map(({ transactionId, blockNumber, code }) => ({ transactionId, blockNumber, code }))).toEqual(
        expected,
      );
    });

    it('resubmitted bytes report their first outcome, not the DUPLICATE_TXID the stream shows', async () => {
      const [endorsed] = await endorseUsers(1);
      const first = await ledger.commit('registrar', endorsed!.signedTransaction);
      // Even without saying it is a resubmission: the stream's DUPLICATE_TXID sends it to CommitStatus.
      const again = await ledger.commit('registrar', endorsed!.signedTransaction);
      expect(again).toMatchObject({ transactionId: first.transactionId, blockNumber: first.blockNumber, code: 0 });
      const flagged = await ledger.commit('registrar', endorsed!.signedTransaction, { resubmission: true });
      expect(flagged).toMatchObject({ blockNumber: first.blockNumber, code: 0 });
    });

    it('loses nothing when the stream breaks with transactions waiting: it resumes after the last block it saw', async () => {
      await ledger.submit(createUser());
      devnet.setCommitLatency(800);
      const before = await outcomesVia('stream-spec');
      const endorsed = await endorseUsers(30);
      const submitted = await Promise.all(endorsed.map((e) => ledger.submitSigned('registrar', e.signedTransaction)));
      // The blocks of these transactions commit while the stream is down.
      devnet.faults.dropStreams();
      const outcomes = await Promise.all(submitted.map((s) => s.status()));
      expect(outcomes.every((o) => o.successful)).toBe(true);
      const after = await outcomesVia('stream-spec');
      expect(after.blockStream - before.blockStream).toBe(30);
      const expected = await Promise.all(endorsed.map((e) => reference(e.signedTransaction)));
      expect(outcomes.map(({ transactionId, blockNumber, code }) => ({ transactionId, blockNumber, code }))).toEqual(
        expected,
      );
    });

    it('the submitter records every command once, with its block, while its stream is dropped mid-run', async () => {
      devnet.setCommitLatency(500);
      const validBefore = await devnetTransactionCount('VALID');
      const submitter = await startSubmitter({
        pool: db.pool,
        clientConfig: { connectionString: db.url },
        ledger,
        logger,
        window: 256,
        batchSize: 64,
        // Dropping streams drops every connection: calls in flight fail and open the client's circuit breaker
        // for 5 s, so retries are spaced to outlast it.
        maxAttempts: 8,
        backoffBaseMs: 1_000,
        backoffMaxMs: 2_000,
        maintenanceIntervalMs: 200,
      });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 60; i += 1) {
          ids.push(
            (
              await enqueueCommand(db.pool, {
                commandType: 'CREATE_USER',
                payload: createUserPayload(),
                submittedBy: 'test',
              })
            ).commandId,
          );
          if (i === 30) devnet.faults.dropStreams();
        }
        const rows = await waitForRows(db.pool, ids, { timeoutMs: 50_000 });
        expect(
          rows.filter((row) => row.status !== 'COMMITTED').map((row) => [row.status, row.attempts, row.error]),
        ).toEqual([]);
        // Exactly once on the ledger: 60 valid transactions, one per command.
        expect((await devnetTransactionCount('VALID')) - validBefore).toBe(60);
        const recorded = await db.pool.query<{ fabric_tx_id: string; block_number: string }>(
          'SELECT fabric_tx_id, block_number::text FROM outbox_command WHERE id = ANY($1::uuid[])',
          [ids],
        );
        expect(new Set(recorded.rows.map((row) => row.fabric_tx_id)).size).toBe(60);
        // Each row's block is the one CommitStatus reports for its transaction.
        for (const row of recorded.rows) {
          expect(await statusCommitOf(row.fabric_tx_id)).toBe(BigInt(row.block_number));
        }
      } finally {
        await submitter.stop();
      }
    }, 60_000);
  },
);

/** The block CommitStatus reports for a transaction id: a request signed here, sent by the real client. */
async function statusCommitOf(transactionId: string): Promise<bigint> {
  const { connection } = devnet;
  const identity = new msp.SerializedIdentity();
  identity.setMspid(connection.mspId);
  identity.setIdBytes(Buffer.from(connection.identities.registrar.certPem));
  const request = new gateway.CommitStatusRequest();
  request.setTransactionId(transactionId);
  request.setChannelId(connection.channel);
  request.setIdentity(identity.serializeBinary());
  const bytes = request.serializeBinary();
  const signed = new gateway.SignedCommitStatusRequest();
  signed.setRequest(bytes);
  signed.setSignature(signLowS(bytes, createPrivateKey(connection.identities.registrar.keyPem)));
  const client = connectTestGateway(connection, { as: 'registrar' });
  try {
    return (await client.gateway.newCommit(signed.serializeBinary()).getStatus()).blockNumber;
  } finally {
    client.close();
  }
}
