import { newUser, requestId, systemParams } from '@gx/chaincode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devnetOnly, externalLedger, startTestLedger, type TestLedger } from '../../test/support/ledger.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { createLedgerClient } from './client.js';
import { CommitError, classifyError, LedgerConfigurationError } from './errors.js';
import type { LedgerClient, LedgerEvent } from './types.js';

const logger = createLogger({ level: 'silent', role: 'test' });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

let devnet: TestLedger;
let ledger: LedgerClient;

async function metricValue(name: string, client: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((value) => value.labels.client === client)?.value ?? 0;
}

beforeAll(async () => {
  devnet = await startTestLedger();
  ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'client-spec' });
});

afterAll(async () => {
  await ledger?.close();
  await devnet?.stop();
});

describe(`ledger client against ${externalLedger ? 'an external ledger' : 'devnet'} over gRPC`, () => {
  it('reports health with latency', async () => {
    const health = await ledger.health();
    expect(health.reachable).toBe(true);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await metricValue('fabric_ledger_reachable', 'client-spec')).toBe(1);
  });

  it.skipIf(externalLedger)(
    `submits as admin, evaluates, and streams the committed event from a start block ${devnetOnly('bootstraps an empty ledger')}`,
    async () => {
      const outcome = await ledger.submit({
        contract: 'AdminContract',
        fn: 'BootstrapSystem',
        args: ['req-bootstrap', JSON.stringify(systemParams())],
        signer: 'super_admin',
      });
      expect(outcome.successful).toBe(true);
      expect(JSON.parse(text(await ledger.evaluate('AdminContract', 'GetSystemParams', []))).tokenSymbol).toBe('GX');

      const abort = new AbortController();
      const seen: LedgerEvent[] = [];
      for await (const event of ledger.chaincodeEvents({ startBlock: 0n, signal: abort.signal })) {
        seen.push(event);
        if (event.transactionId === outcome.transactionId) abort.abort();
      }
      const bootstrapped = seen.find((event) => event.transactionId === outcome.transactionId);
      expect(bootstrapped?.eventName).toBe('SystemBootstrapped');
      expect(bootstrapped?.blockNumber).toBe(outcome.blockNumber);
    },
  );

  it('resubmitting the same signed bytes reports the original commit (no second transaction)', async () => {
    // A fresh user: a transaction with writes that any ledger, empty or long-lived, accepts once.
    const user = newUser();
    const endorsed = await ledger.endorse({
      contract: 'IdentityContract',
      fn: 'CreateUser',
      args: [requestId(), user.fabricUserId],
      transient: { user: user.userJson },
      signer: 'registrar',
    });
    const first = await ledger.commit('registrar', endorsed.signedTransaction);
    const again = await ledger.commit('registrar', endorsed.signedTransaction);
    expect(again).toMatchObject({ transactionId: first.transactionId, blockNumber: first.blockNumber, code: 0 });
  });

  it('classifies a chaincode rejection as permanent with its GX code and message', async () => {
    const error = await ledger
      .submit({
        contract: 'AdminContract',
        fn: 'BootstrapSystem',
        args: ['req-other', JSON.stringify(systemParams())],
        signer: 'super_admin',
      })
      .catch((e: unknown) => e);
    const verdict = classifyError(error);
    expect(verdict.kind).toBe('PERMANENT');
    expect(verdict.reason).toMatch(/^GX_/);
    expect(verdict.message).toMatch(/^GX_\w+: /);
  });

  it.skipIf(externalLedger)(
    `reports an MVCC conflict as an unsuccessful commit, classified transient ${devnetOnly('needs fault injection')}`,
    async () => {
      devnet.faults.forceMvccConflicts(1);
      const error = await ledger
        .submit({ contract: 'AdminContract', fn: 'Ping', args: [], signer: 'registrar' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommitError);
      expect(classifyError(error)).toMatchObject({ kind: 'TRANSIENT', reason: 'MVCC_READ_CONFLICT' });
    },
  );

  it('refuses admin-signed calls when no admin identity is configured', async () => {
    const env = devnet.env();
    delete env.GX_FABRIC_ADMIN_CERT;
    delete env.GX_FABRIC_ADMIN_KEY;
    const clientOnly = await createLedgerClient(loadConfig(env).fabric, { logger });
    try {
      await expect(
        clientOnly.endorse({ contract: 'AdminContract', fn: 'Ping', args: [], signer: 'admin' }),
      ).rejects.toThrow(/must be signed by the admin identity.*GX_FABRIC_ADMIN_CERT and GX_FABRIC_ADMIN_KEY/);
    } finally {
      await clientOnly.close();
    }
  });

  it('as a read-only client (API, projector), reads as the reader and holds no signing key at all', async () => {
    // Every signing key is in the environment; read-only access loads none of them.
    const reader = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, access: 'read' });
    try {
      expect((await reader.health()).reachable).toBe(true);
      expect(text(await reader.evaluate('AdminContract', 'Ping', []))).toBe('{"chaincode":"gxtv3","ok":true}');
      for (const signer of ['super_admin', 'admin', 'registrar', 'transfer'] as const) {
        await expect(
          reader.endorse({ contract: 'AdminContract', fn: 'Ping', args: [], signer }),
        ).rejects.toBeInstanceOf(LedgerConfigurationError);
      }
    } finally {
      await reader.close();
    }
  });

  it.skipIf(externalLedger)(
    `opens a new gRPC channel after the peer drops connections, and works again ${devnetOnly('needs fault injection')}`,
    async () => {
      const before = await metricValue('fabric_reconnects_total', 'client-spec');
      const reopened = devnet.faults.refuseConnections(500);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const during = await ledger.health();
      expect(during.reachable).toBe(false);
      expect(during.error).toBeTruthy();
      expect(await metricValue('fabric_ledger_reachable', 'client-spec')).toBe(0);
      await reopened;
      let health = await ledger.health();
      for (let attempt = 0; attempt < 20 && !health.reachable; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        health = await ledger.health();
      }
      expect(health.reachable).toBe(true);
      expect(await metricValue('fabric_ledger_reachable', 'client-spec')).toBe(1);
      expect(await metricValue('fabric_reconnects_total', 'client-spec')).toBeGreaterThan(before);
    },
  );

  it.skipIf(externalLedger)(
    `ends an event stream with an error when devnet drops it, and a new stream resumes from a checkpoint ${devnetOnly('needs fault injection')}`,
    async () => {
      const first = await ledger.submit({
        contract: 'AdminContract',
        fn: 'BootstrapSystem',
        args: ['req-bootstrap', JSON.stringify(systemParams())],
        signer: 'super_admin',
      });
      const iterator = ledger.chaincodeEvents({ startBlock: 0n })[Symbol.asyncIterator]();
      await iterator.next();
      devnet.faults.dropStreams();
      await expect(
        (async () => {
          for (;;) if ((await iterator.next()).done) return 'ended';
        })(),
      ).rejects.toThrow();
      // Resume strictly after the bootstrap transaction: nothing from that transaction comes again.
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 500);
      const resumed: LedgerEvent[] = [];
      for await (const event of ledger.chaincodeEvents({
        startBlock: first.blockNumber,
        afterTransactionId: first.transactionId,
        signal: abort.signal,
      }))
        resumed.push(event);
      expect(resumed.map((event) => event.transactionId)).not.toContain(first.transactionId);
    },
  );

  it.skipIf(externalLedger)(
    `keeps waiting for a commit status across a dropped connection ${devnetOnly('needs fault injection and commit latency')}`,
    async () => {
      devnet.setCommitLatency(1_000);
      try {
        const endorsed = await ledger.endorse({ contract: 'AdminContract', fn: 'Ping', args: [], signer: 'registrar' });
        const submitted = await ledger.submitSigned('registrar', endorsed.signedTransaction);
        const status = submitted.status();
        await new Promise((resolve) => setTimeout(resolve, 200));
        devnet.faults.dropStreams();
        await expect(status).resolves.toMatchObject({ transactionId: endorsed.transactionId, successful: true });
      } finally {
        devnet.setCommitLatency(0);
      }
    },
  );

  it.skipIf(externalLedger)(
    `opens the circuit breaker after consecutive peer failures and fails fast ${devnetOnly('needs fault injection')}`,
    async () => {
      const fragile = await createLedgerClient(loadConfig(devnet.env()).fabric, {
        logger,
        name: 'breaker-spec',
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
      });
      try {
        devnet.faults.failEndorsements(2);
        for (let i = 0; i < 2; i += 1) {
          await expect(fragile.evaluate('AdminContract', 'Ping', [])).rejects.toMatchObject({ code: 14 });
        }
        expect(await metricValue('fabric_circuit_breaker_state', 'breaker-spec')).toBe(2);
        const error = await fragile.evaluate('AdminContract', 'Ping', []).catch((e: unknown) => e);
        expect(classifyError(error).reason).toBe('CIRCUIT_OPEN');
      } finally {
        devnet.faults.clear();
        await fragile.close();
      }
    },
  );
});
