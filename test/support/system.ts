/**
 * The whole system for outside-in specs: a test ledger (devnet, or the external network), the real Fabric
 * Gateway client, the API over a fresh database, the outbox submitter and the projector. One start-up for
 * every spec that drives the system through HTTP and waits for the ledger's answer.
 */

import { loadConfig } from '../../src/config.js';
import { createLedgerClient, type LedgerClient } from '../../src/ledger/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createProjector } from '../../src/projector/projector.js';
import { type Submitter, startSubmitter } from '../../src/submitter/index.js';
import { type Session, startTestApi, type TestApi } from './api-server.js';
import { projectFromCurrentBlock, startTestLedger, type TestLedger } from './ledger.js';

export interface TestSystem {
  devnet: TestLedger;
  ledger: LedgerClient;
  api: TestApi;
  submitter: Submitter;
  /** Stops everything started, in reverse order. */
  stop(): Promise<void>;
}

/** The end of a command's status stream: its last event (`projected`, `failed`, …) and that event's data. */
export interface CommandEnd {
  event: string;
  data: Record<string, unknown>;
}

/**
 * Starts the system. `name` labels the ledger client and the logs. On an external ledger the projection starts
 * at the network's current block (its history is other runs'); on devnet it starts at the beginning.
 */
export async function startTestSystem(name: string): Promise<TestSystem> {
  const logger = createLogger({ level: process.env.GX_TEST_LOG_LEVEL ?? 'silent', role: name });
  const devnet = await startTestLedger();
  const ledger = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name });
  const api = await startTestApi({ ledger });
  const submitter = await startSubmitter({
    pool: api.db.pool,
    clientConfig: { connectionString: api.db.url },
    ledger,
    logger,
    window: 64,
    batchSize: 64,
    maxAttempts: 3,
    backoffBaseMs: 50,
  });
  await projectFromCurrentBlock(api.db.pool, ledger);
  const stopProjector = new AbortController();
  const projecting = createProjector({ pool: api.db.pool, source: ledger, logger }).run(stopProjector.signal);
  return {
    devnet,
    ledger,
    api,
    submitter,
    async stop() {
      stopProjector.abort();
      await projecting;
      await submitter.stop();
      await api.close();
      await ledger.close();
      await devnet.stop();
    },
  };
}

/** Follows a command's status stream (`/commands/{id}/events`) to its end. */
export async function followCommand(api: TestApi, commandId: string, token: string): Promise<CommandEnd> {
  const response = await fetch(`${api.url}/api/v1/commands/${commandId}/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 200) throw new Error(`command ${commandId} events: ${response.status}`);
  const blocks = (await response.text()).split('\n\n').filter((block) => block.includes('event: '));
  const last = blocks.at(-1) ?? '';
  return {
    event: /^event: (.*)$/m.exec(last)?.[1] ?? '',
    data: JSON.parse(/^data: (.*)$/m.exec(last)?.[1] ?? '{}'),
  };
}

/** Expects an accepted command (202 `{commandId}`) and follows it to its end. */
export async function settleCommand(
  api: TestApi,
  response: { status: number; text: string; body: { commandId: string } },
  token: string,
): Promise<CommandEnd> {
  if (response.status !== 202) throw new Error(`expected 202, got ${response.status}: ${response.text}`);
  return followCommand(api, response.body.commandId, token);
}

/** A four-eyes request by `requester`, approved by `approver` (a super admin), followed to its end. */
export async function approvedAction(
  api: TestApi,
  people: { requester: Session; approver: Session },
  action: string,
  payload: Record<string, unknown>,
): Promise<CommandEnd> {
  const request = await api.request('POST', '/api/v1/admin/approvals', {
    token: people.requester.accessToken,
    body: { action, payload },
  });
  if (request.status !== 201) throw new Error(`approval request: ${request.status} ${request.text}`);
  const decision = await api.request('POST', `/api/v1/admin/approvals/${request.body.approvalId}/approve`, {
    token: people.approver.accessToken,
  });
  return settleCommand(api, decision, people.approver.accessToken);
}
