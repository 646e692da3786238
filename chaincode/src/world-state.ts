/**
 * The chaincode's world state: its keys and typed records, read and written as canonical JSON.
 *
 * Keys are plain prefixed strings (not composite keys): the contracts only do point reads and writes, and a
 * plain key is what any world-state adapter (a peer, devnet, the unit-test stub) handles alike.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import type { UserRecord } from './query-results';
import type { AdminRole, FreezeReason, GenesisOutcome } from './system-params';

export const keys = {
  systemParams: 'gx/params',
  /** Who may act: the organizations and the OU fallback, written at bootstrap (authorization.ts). */
  authorization: 'gx/authorization',
  /** `{paused, reason, since}`: read by every value movement, written only by pause and resume. */
  paused: 'gx/paused',
  /** A country's share and treasury (CountryRecord); one key per country, never one table. */
  country: (code: string) => `gx/country/${code}`,
  /** Users of a country served in a phase (1-based): written only by that country's registrations. */
  genesisCount: (code: string, phase: number) => `gx/genesis-count/${code}/${phase}`,
  genesisCountPrefix: 'gx/genesis-count/',
  /** Operations-fund fees accrued from one sender: written only by that sender's transfers. */
  feeShard: (senderId: string) => `gx/fee-shard/${senderId}`,
  feeShardPrefix: 'gx/fee-shard/',
  /** `{minted, balance}` of a pool that mints on demand and holds a balance of its own. */
  pool: (pool: string) => `gx/pool/${pool}`,
  /** An on-chain admin appointment, by profile digest. */
  admin: (digest: string) => `gx/admin/${digest}`,
  countryPrefix: 'gx/country/',
  user: (fabricUserId: string) => `gx/user/${fabricUserId}`,
  /** profile digest → fabricUserId: one on-chain user per backend profile (profile ids before digests existed). */
  profile: (profileDigest: string) => `gx/profile/${profileDigest}`,
  wallet: (account: string) => `gx/wallet/${account}`,
  walletPrefix: 'gx/wallet/',
  /** The genesis decision made when the user was created: exactly one per user. */
  genesis: (fabricUserId: string) => `gx/genesis/${fabricUserId}`,
  request: (requestId: string) => `gx/request/${requestId}`,
  /** One relationship (RelationshipRecord): written only by the functions acting on it. */
  relationship: (relationshipId: string) => `gx/relationship/${relationshipId}`,
  /**
   * The active relationship of a type between two users (ids in sorted order, so either direction finds it);
   * deleted when that relationship becomes final.
   */
  relationshipPair: (a: string, b: string, type: string) =>
    a < b ? `gx/relationship-pair/${a}/${b}/${type}` : `gx/relationship-pair/${b}/${a}/${type}`,
  /** A user's raw trust sums (TrustSums): written only by confirmations and ends of that user's relationships. */
  trust: (fabricUserId: string) => `gx/trust/${fabricUserId}`,
  /** One organization (OrganizationRecord, docs/organizations.md): its endorsements and rules ride inside. */
  organization: (orgId: string) => `gx/org/${orgId}`,
  /** An organization account's Fabric id → the orgId owning it; written once, when the organization verifies. */
  organizationAccount: (fabricUserId: string) => `gx/org-account/${fabricUserId}`,
  /** One payment request (PaymentRequestRecord) with its approvals: concurrent approvals conflict here. */
  paymentRequest: (paymentId: string) => `gx/org-payment/${paymentId}`,
} as const;

/** A user as stored, which is also what `GetUser` returns. */
export type { UserRecord };
export type UserStatus = UserRecord['status'];

/** A balance holder: a user's or a treasury's wallet. */
export interface WalletRecord {
  account: string;
  /** Whole smallest units, decimal. */
  balance: string;
  /** Set while an admin has frozen the wallet: it can then neither send nor receive. */
  frozen?: { reason: FreezeReason; notes: string; since: string };
}

/** The genesis decision of one user (the UserCreated v3 `genesis` block, without the treasury balance). */
export interface GenesisRecord {
  fabricUserId: string;
  outcome: GenesisOutcome;
  phase: number | null;
  userAmount: string;
  treasuryAmount: string;
  requestId: string;
  timestamp: string;
}

export interface PauseRecord {
  paused: boolean;
  reason: string;
  since: string;
}

/** A pool that mints on demand: what it minted (≤ its cap) and what it holds. */
export interface PoolRecord {
  minted: string;
  balance: string;
}

export interface AdminRecord {
  role: AdminRole;
  /** Profile digest of the super admin who appointed it. */
  appointedBy: string;
  since: string;
}

/** What a used request id remembers, so a replay returns the first answer. */
export interface RequestRecord {
  /** `Contract:Function`. */
  fn: string;
  /** SHA-256 (hex) of the canonical JSON of the arguments. */
  argsHash: string;
  /** The first call's result, returned verbatim on replay. */
  result: string;
}

/** Reads a JSON record; `undefined` if the key is absent. */
export async function readRecord<T>(ctx: Context, key: string): Promise<T | undefined> {
  const bytes = await ctx.stub.getState(key);
  if (bytes === undefined || bytes === null || bytes.length === 0) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** Deletes a key (a no-op when it is absent). */
export async function deleteRecord(ctx: Context, key: string): Promise<void> {
  await ctx.stub.deleteState(key);
}

/** Writes a record as canonical JSON (identical bytes on every endorser). */
export async function writeRecord(ctx: Context, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, Buffer.from(canonicalJson(value), 'utf8'));
}

/**
 * Sums `amountOf` over every record whose key starts with `prefix` (a range read: fine in a query, and the way
 * sharded totals such as the operations fund are read without a hot key).
 */
export async function sumRange(
  ctx: Context,
  prefix: string,
  amountOf: (key: string, value: unknown) => bigint,
): Promise<bigint> {
  let sum = 0n;
  for (const { key, value } of await readRange(ctx, prefix)) sum += amountOf(key, value);
  return sum;
}

/** Every record whose key starts with `prefix`, in key order. */
export async function readRange(ctx: Context, prefix: string): Promise<Array<{ key: string; value: unknown }>> {
  const records: Array<{ key: string; value: unknown }> = [];
  // U+10FFFF is the largest code point, so every key with the prefix sorts below prefix + it.
  const iterator = await ctx.stub.getStateByRange(prefix, `${prefix}\u{10FFFF}`);
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      records.push({ key: next.value.key, value: JSON.parse(Buffer.from(next.value.value).toString('utf8')) });
    }
  } finally {
    await iterator.close();
  }
  return records;
}
