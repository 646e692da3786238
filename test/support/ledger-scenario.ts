/**
 * Drives the real gxtv3 chaincode through the ledger client with the command catalogue's own mappings, as
 * the submitter would: what the projector's integration tests and its benchmark put on a devnet ledger.
 */
import { randomUUID } from 'node:crypto';
import { generateFabricUserId, identityDigest, type SystemParams } from '@gx/chaincode';
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
}

/** Parameters with a 1% fee to `GX_FEE_COLLECTOR` and tiers large enough for any test. */
export function scenarioParams(overrides: Partial<SystemParams> = {}): SystemParams {
  return {
    tokenName: 'GX Coin',
    tokenSymbol: 'GXC',
    decimals: 6,
    genesisTiers: [
      { recipients: 2, amount: '1000000' },
      { recipients: 1_000_000, amount: '1000' },
    ],
    transferFee: { basisPoints: 100, collector: 'GX_FEE_COLLECTOR' },
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
    return this.ledger.submit({ contract: call.contract, fn: call.fn, args: call.args, signer: call.signer });
  }

  bootstrap(params: SystemParams = scenarioParams()): Promise<CommitOutcome> {
    return this.command('BOOTSTRAP_SYSTEM', { params });
  }

  /** Creates a user for `profileId` (a fresh one by default) with a valid Fabric user id. */
  async createUser(profileId: string = randomUUID(), requestId?: string): Promise<ScenarioUser> {
    const facts = {
      email: `${profileId}@example.com`,
      countryCode: 'MY',
      dateOfBirth: '1990-01-31',
      gender: 'female' as const,
      accountType: 1,
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
    await this.command('CREATE_USER', payload, id);
    return { fabricUserId, profileId };
  }

  genesis(user: ScenarioUser): Promise<CommitOutcome> {
    return this.command('DISTRIBUTE_GENESIS', { fabricUserId: user.fabricUserId });
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
