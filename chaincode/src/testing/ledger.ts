/**
 * The contracts over one in-memory world, each call signed by the identity of its role: what the contract
 * specs drive, so each states only its rule.
 */
import type { Context } from 'fabric-contract-api';
import { AdminContract } from '../admin-contract';
import { type EventPayload, parseEvent } from '../events';
import { IdentityContract } from '../identity-contract';
import type { SystemParams } from '../system-params';
import { TokenomicsContract } from '../tokenomics-contract';
import { keys } from '../world-state';
import { individual, type NewUserFixture, requestId, systemParams } from './fixtures';
import type { TestIdentities } from './identities';
import { MemoryWorld } from './memory-world';

export type UserCreatedV3 = Extract<EventPayload<'UserCreated'>, { version: 3 }>;
export type TransferCompletedV2 = Extract<EventPayload<'TransferCompleted'>, { version: 2 }>;

export class TestLedger {
  readonly admin = new AdminContract();
  readonly identity = new IdentityContract();
  readonly tokenomics = new TokenomicsContract();

  constructor(
    readonly ids: TestIdentities,
    readonly world = new MemoryWorld(),
  ) {}

  bootstrap(params: SystemParams = systemParams(), id = requestId()): Promise<string> {
    return this.world.invoke(this.ids.superAdmin, (ctx) => this.admin.BootstrapSystem(ctx, id, JSON.stringify(params)));
  }

  /** CreateUser with the fixture's transient facts; returns the UserCreated v3 payload. */
  async createUser(user: NewUserFixture = individual(), id = requestId()): Promise<UserCreatedV3> {
    const result = await this.world.invoke(
      this.ids.registrar,
      (ctx) => this.identity.CreateUser(ctx, id, user.fabricUserId),
      user.transient,
    );
    return JSON.parse(result) as UserCreatedV3;
  }

  async transfer(from: string, to: string, amount: bigint | string, memo = '', id = requestId()) {
    const result = await this.world.invoke(this.ids.transfer, (ctx) =>
      this.tokenomics.TransferTokens(ctx, id, from, to, amount.toString(), memo),
    );
    return JSON.parse(result) as TransferCompletedV2;
  }

  /** An admin-role call (treasury activation, freeze). */
  asAdmin(body: (ctx: Context) => Promise<string>): Promise<string> {
    return this.world.invoke(this.ids.admin, body);
  }

  /** A super-admin call (pause, admin registry, parameters). */
  asSuperAdmin(body: (ctx: Context) => Promise<string>): Promise<string> {
    return this.world.invoke(this.ids.superAdmin, body);
  }

  /** A query's JSON result, as the reader identity. */
  async query<T>(body: (ctx: Context) => Promise<string>): Promise<T> {
    return JSON.parse(await this.world.invoke(this.ids.reader, body)) as T;
  }

  async balance(account: string): Promise<bigint> {
    return BigInt((await this.query<{ balance: string }>((ctx) => this.tokenomics.GetBalance(ctx, account))).balance);
  }

  /** The committed events, parsed (a payload that breaks its schema fails the test). */
  events(): Array<{ name: string; payload: unknown }> {
    return this.world.events.map((event) => {
      const parsed = parseEvent(event.name, Buffer.from(event.payload));
      if (!parsed.ok) throw new Error(parsed.reason);
      return { name: event.name, payload: parsed.event.payload };
    });
  }

  /** Σ of the values under a key prefix, read straight from the world state (not through the contracts). */
  sumOf(prefix: string, amountOf: (value: unknown) => bigint): bigint {
    return [...this.world.state.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .reduce((sum, [, value]) => sum + amountOf(JSON.parse(Buffer.from(value).toString('utf8'))), 0n);
  }

  /** Σ of every wallet (users and treasuries) and every fee shard, read straight from the world state. */
  heldEverywhere(): bigint {
    return (
      this.sumOf(keys.wallet(''), (value) => BigInt((value as { balance: string }).balance)) +
      this.sumOf(keys.feeShardPrefix, (value) => BigInt(value as string))
    );
  }
}
