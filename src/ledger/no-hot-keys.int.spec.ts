/**
 * No hot keys (docs/tokenomics.md): with fees on, transfers between disjoint pairs, and registrations with
 * genesis in different countries, endorsed against the same state and ordered into one block, are all VALID:
 * nothing they write is read or written by another (the fee goes to the sender's own shard, genesis counts
 * per country), and relationship confirmations between disjoint pairs (docs/trust.md: per-user trust keys). The
 * controls show the check bites: two transfers from one sender, two registrations in one country, or two
 * confirmations of one user's relationships, in one block, and the second fails MVCC_READ_CONFLICT.
 *
 * Real devnet over gRPC with the backend's ledger client (the real @hyperledger/fabric-gateway client) and the
 * command catalogue's calls. Devnet cuts a block when it is full or `blockTimeoutMs` after its first
 * transaction: 500 ms lets every transaction of a round, sent together, share one block.
 */
import { individual, type NewUserFixture, newUser, requestId } from '@gx/chaincode/testing';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapTestLedger,
  devnetOnly,
  externalLedger,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { scenarioParams } from '../../test/support/ledger-scenario.js';
import { type CommandPayload, type CommandType, toLedgerCall } from '../commands/catalogue.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { createLedgerClient } from './client.js';
import type { CommitOutcome, LedgerClient } from './types.js';

/** The countries of {@link scenarioParams}: one registration each per round. */
const countries = ['MY', 'SG', 'ID', 'IN', 'US'] as const;
/** Pairs of distinct users transferring at once. */
const pairs = 5;

let devnet: TestLedger;
let ledger: LedgerClient;

beforeAll(async () => {
  devnet = await startTestLedger({ devnet: { blockTimeoutMs: 500 } });
  const fabric = loadConfig(devnet.env()).fabric;
  ledger = await createLedgerClient(fabric, { logger: createLogger({ level: 'silent', role: 'test' }), name: 'hot' });
  // Fees on for every cell (1 %), two users per country in phase 1 (1 GX), then 0.001 GX each.
  await bootstrapTestLedger(ledger, scenarioParams());
});

afterAll(async () => {
  await ledger?.close();
  await devnet?.stop();
});

/**
 * Endorses every command first (all against the same committed state, as concurrent endorsements are), then
 * sends them together and returns each outcome in order.
 */
async function inOneRound(commands: Array<[CommandType, CommandPayload<CommandType>]>): Promise<CommitOutcome[]> {
  const calls = commands.map(([type, payload]) => toLedgerCall(type, requestId(), payload));
  const endorsed = await Promise.all(calls.map((call) => ledger.endorse(call)));
  return Promise.all(endorsed.map((tx, i) => ledger.commit(calls[i]!.signer, tx.signedTransaction)));
}

const createUser = (user: NewUserFixture): [CommandType, CommandPayload<'CREATE_USER'>] => [
  'CREATE_USER',
  { fabricUserId: user.fabricUserId, countryCode: user.fabricUserId.slice(0, 2), ...user.user },
];
const transfer = (from: string, to: string, amount: string): [CommandType, CommandPayload<'TRANSFER_TOKENS'>] => [
  'TRANSFER_TOKENS',
  { fromFabricUserId: from, toFabricUserId: to, amount, memo: '' },
];

/** The outcomes' validation codes (ascending: which one the orderer put first is not the test's to choose) and how many blocks they took. */
function summary(outcomes: CommitOutcome[]) {
  return {
    codes: outcomes.map((outcome) => outcome.code).sort((a, b) => a - b),
    blocks: new Set(outcomes.map((outcome) => outcome.blockNumber)).size,
  };
}

describe.skipIf(externalLedger)(`no hot keys ${devnetOnly('needs the block cutting in its own hands')}`, () => {
  it('commits registrations with genesis in different countries in one block, all VALID', async () => {
    const users = countries.map((countryCode) => individual({ countryCode }));
    const outcomes = await inOneRound(users.map(createUser));
    expect(summary(outcomes)).toEqual({ codes: countries.map(() => StatusCode.VALID), blocks: 1 });
    for (const outcome of outcomes) {
      expect(JSON.parse(Buffer.from(outcome.result).toString('utf8')).genesis.outcome).toBe('ALLOCATED');
    }
  });

  it('commits fee-bearing transfers between disjoint pairs in one block, all VALID', async () => {
    // 2 × pairs individuals, registered a round of distinct countries at a time.
    const users: string[] = [];
    while (users.length < 2 * pairs) {
      const round = countries.map((countryCode) => individual({ countryCode }));
      expect(summary(await inOneRound(round.map(createUser))).codes).toEqual(countries.map(() => StatusCode.VALID));
      users.push(...round.map((user) => user.fabricUserId));
    }
    const moves = Array.from({ length: pairs }, (_, i) => transfer(users[2 * i]!, users[2 * i + 1]!, '500'));
    const outcomes = await inOneRound(moves);
    expect(summary(outcomes)).toEqual({ codes: moves.map(() => StatusCode.VALID), blocks: 1 });
    for (const outcome of outcomes) {
      // 1 % of 500 Qirat: every transfer paid a fee into its sender's shard.
      expect(JSON.parse(Buffer.from(outcome.result).toString('utf8'))).toMatchObject({ fee: '5', version: 2 });
    }
  });

  it('does conflict for two transfers from one sender, and for two registrations in one country', async () => {
    const [sender, first, second] = [
      individual(),
      individual({ countryCode: 'SG' }),
      individual({ countryCode: 'ID' }),
    ];
    for (const user of [sender, first, second]) await inOneRound([createUser(user)]);
    const sameSender = await inOneRound([
      transfer(sender.fabricUserId, first.fabricUserId, '100'),
      transfer(sender.fabricUserId, second.fabricUserId, '100'),
    ]);
    expect(summary(sameSender)).toEqual({ codes: [StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT], blocks: 1 });

    const sameCountry = await inOneRound([createUser(individual()), createUser(individual())]);
    expect(summary(sameCountry)).toEqual({ codes: [StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT], blocks: 1 });
  });

  it('commits relationship confirmations between disjoint pairs in one block; one user twice conflicts', async () => {
    // Businesses: registered without genesis, so one round registers them all.
    const users = Array.from({ length: 2 * pairs + 1 }, () => newUser());
    expect(summary(await inOneRound(users.map(createUser))).codes).toEqual(users.map(() => StatusCode.VALID));
    const ids = users.map((user) => user.fabricUserId);
    const request = (from: string, to: string): [CommandType, CommandPayload<'REQUEST_RELATIONSHIP'>] => [
      'REQUEST_RELATIONSHIP',
      { fromFabricUserId: from, toFabricUserId: to, type: 'FRIEND' },
    ];
    const relationshipIdOf = (outcome: CommitOutcome): string =>
      JSON.parse(Buffer.from(outcome.result).toString('utf8')).relationship.relationshipId;
    const confirm = (
      relationshipId: string,
      by: string,
      other: string,
    ): [CommandType, CommandPayload<'CONFIRM_RELATIONSHIP'>] => [
      'CONFIRM_RELATIONSHIP',
      { relationshipId, byFabricUserId: by, otherFabricUserId: other },
    ];

    const disjoint = Array.from({ length: pairs }, (_, i) => [ids[2 * i]!, ids[2 * i + 1]!] as const);
    const requested = await inOneRound(disjoint.map(([from, to]) => request(from, to)));
    expect(summary(requested)).toEqual({ codes: disjoint.map(() => StatusCode.VALID), blocks: 1 });
    const confirmed = await inOneRound(
      disjoint.map(([from, to], i) => confirm(relationshipIdOf(requested[i]!), to, from)),
    );
    expect(summary(confirmed)).toEqual({ codes: disjoint.map(() => StatusCode.VALID), blocks: 1 });

    // Control: the last user asked by two others; both confirmations write its trust key.
    const popular = ids[2 * pairs]!;
    const asks = await inOneRound([request(ids[0]!, popular), request(ids[1]!, popular)]);
    const both = await inOneRound([
      confirm(relationshipIdOf(asks[0]!), popular, ids[0]!),
      confirm(relationshipIdOf(asks[1]!), popular, ids[1]!),
    ]);
    expect(summary(both)).toEqual({ codes: [StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT], blocks: 1 });
  });
});
