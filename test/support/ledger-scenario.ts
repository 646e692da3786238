/**
 * Drives the real gxtv3 chaincode through the ledger client with the command catalogue's own mappings, as
 * the submitter would: what the projector's integration tests and its benchmark put on a devnet ledger.
 */
import { randomUUID } from 'node:crypto';
import { generateFabricUserId, identityDigest, type SystemParams } from '@gx/chaincode';
import { DEFAULT_SYSTEM_PARAMS } from '../../src/capabilities/admin/default-system-params.js';
import { type CommandPayload, type CommandType, toLedgerCall } from '../../src/commands/catalogue.js';
import type { CommitOutcome, LedgerClient } from '../../src/ledger/index.js';

/** Where the backend keeps the commands it issued (a database's pool): see {@link LedgerScenario}. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** A user created on the ledger. */
export interface ScenarioUser {
  fabricUserId: string;
  profileId: string;
  /** The block of its registration (and genesis). */
  createdInBlock: bigint;
}

/**
 * The default parameters with every fee cell at 1 % and a first phase serving each country's first 2 users
 * 1 GX (its treasury 0.1 GX), then 0.001 GX to the next million: tests see both phases and fees.
 */
export function scenarioParams(overrides: Partial<SystemParams> = {}): SystemParams {
  const onePercent = { LOCAL: [{ minAmount: '0', bps: 100 }], CROSS_BORDER: [{ minAmount: '0', bps: 100 }] };
  return {
    ...DEFAULT_SYSTEM_PARAMS,
    genesis: {
      minAge: 13,
      maxAge: 73,
      phases: [
        { limit: 10, userAmount: '1000000', treasuryAmount: '100000' },
        { limit: 5_000_000, userAmount: '1000', treasuryAmount: '100' },
      ],
    },
    fees: { P2P: onePercent, MERCHANT: onePercent, GOVERNMENT: onePercent, B2B: onePercent },
    countries: [
      { code: 'MY', populationShare: 0.2 },
      { code: 'SG', populationShare: 0.2 },
      { code: 'ID', populationShare: 0.2 },
      { code: 'IN', populationShare: 0.2 },
      { code: 'US', populationShare: 0.2 },
    ],
    ...overrides,
  };
}

export class LedgerScenario {
  /**
   * @param options.outbox record each CREATE_USER and UPDATE_USER_STATUS in this database's outbox, as the
   * backend that issued it would have: the ledger keeps only a digest of the profile id, and the projector
   * changes a profile only through the command of its request id.
   */
  constructor(
    readonly ledger: LedgerClient,
    private readonly options: { outbox?: Queryable } = {},
  ) {}

  /** Submits one catalogue command; `requestId` defaults to a fresh one. */
  async command<T extends CommandType>(
    type: T,
    payload: CommandPayload<T>,
    requestId: string = randomUUID(),
  ): Promise<CommitOutcome> {
    const call = toLedgerCall(type, requestId, payload);
    return this.ledger.submit({
      contract: call.contract,
      fn: call.fn,
      args: call.args,
      transient: call.transient,
      signer: call.signer,
    });
  }

  bootstrap(params: SystemParams = scenarioParams()): Promise<CommitOutcome> {
    return this.command('BOOTSTRAP_SYSTEM', { params });
  }

  /**
   * Creates an individual of MY for `profileId` (a fresh one by default) with a valid Fabric user id; its
   * genesis is decided in the same transaction (with {@link scenarioParams}: the country's first two users get
   * 1,000,000 Qirat, later ones 1,000).
   */
  async createUser(profileId: string = randomUUID(), requestId?: string): Promise<ScenarioUser> {
    const facts = {
      email: `${profileId}@example.com`,
      countryCode: 'MY',
      dateOfBirth: '1990-01-31',
      gender: 'female' as const,
      accountType: 0,
    };
    const fabricUserId = generateFabricUserId(facts);
    const payload: CommandPayload<'CREATE_USER'> = {
      profileId,
      fabricUserId,
      countryCode: facts.countryCode,
      dateOfBirth: facts.dateOfBirth,
      gender: facts.gender,
      accountType: facts.accountType,
      identityDigest: identityDigest(facts),
    };
    const id = requestId ?? randomUUID();
    await this.#issued('CREATE_USER', payload, id);
    const outcome = await this.command('CREATE_USER', payload, id);
    return { fabricUserId, profileId, createdInBlock: outcome.blockNumber };
  }

  transfer(from: ScenarioUser, to: ScenarioUser, amount: string, memo = ''): Promise<CommitOutcome> {
    return this.command('TRANSFER_TOKENS', {
      fromFabricUserId: from.fabricUserId,
      toFabricUserId: to.fabricUserId,
      amount,
      memo,
    });
  }

  async setStatus(user: ScenarioUser, status: 'ACTIVE' | 'LOCKED', reason = 'test'): Promise<CommitOutcome> {
    const payload = { fabricUserId: user.fabricUserId, status, reason };
    const requestId = randomUUID();
    await this.#issued('UPDATE_USER_STATUS', payload, requestId);
    return this.command('UPDATE_USER_STATUS', payload, requestId);
  }

  /**
   * Records the command in the outbox as the backend that issued it would have (already committed, so no
   * submitter takes it): the projector changes a profile only for a command of this backend.
   */
  async #issued<T extends CommandType>(type: T, payload: CommandPayload<T>, requestId: string): Promise<void> {
    await this.options.outbox?.query(
      `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by, status, next_attempt_at)
       VALUES ($1, $2, $3, 'ledger-scenario', 'COMMITTED', NULL)
       ON CONFLICT (tenant_id, request_id) DO NOTHING`,
      [type, requestId, payload],
    );
  }

  /** Emits an arbitrary event (needs the raw-events fixture chaincode served as gxtv3). */
  emitRaw(name: string, payload: string): Promise<CommitOutcome> {
    return this.ledger.submit({ contract: 'RawEventContract', fn: 'Emit', args: [name, payload], signer: 'registrar' });
  }

  /** The balance the ledger holds for an account. */
  async balance(fabricUserId: string): Promise<string> {
    const result = await this.ledger.evaluate('TokenomicsContract', 'GetBalance', [fabricUserId]);
    return (JSON.parse(Buffer.from(result).toString('utf8')) as { balance: string }).balance;
  }
}

/** Path of the fixture chaincode module that adds `RawEventContract:Emit` to gxtv3. */
export const RAW_EVENTS_CHAINCODE = new URL(
  '../fixtures/raw-events-chaincode/index.js',
  import.meta.url,
).pathname.replace('/dist/src/', '/src/');
