/**
 * The chaincode's world state: its keys and typed records, read and written as canonical JSON.
 *
 * Keys are plain prefixed strings (not composite keys): the contracts only do point reads and writes, and a
 * plain key is what any world-state adapter (a peer, devnet, the unit-test stub) handles alike.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import type { UserRecord } from './query-results';

export const keys = {
  systemParams: 'gx/params',
  /** Who may act: the organizations and the OU fallback, written at bootstrap (authorization.ts). */
  authorization: 'gx/authorization',
  totalSupply: 'gx/supply',
  /** How many users have received a genesis allocation: selects the tier. */
  genesisRecipients: 'gx/genesis-recipients',
  user: (fabricUserId: string) => `gx/user/${fabricUserId}`,
  /** profile digest → fabricUserId: one on-chain user per backend profile (profile ids before digests existed). */
  profile: (profileDigest: string) => `gx/profile/${profileDigest}`,
  wallet: (account: string) => `gx/wallet/${account}`,
  genesis: (fabricUserId: string) => `gx/genesis/${fabricUserId}`,
  request: (requestId: string) => `gx/request/${requestId}`,
} as const;

/** A user as stored, which is also what `GetUser` returns. */
export type { UserRecord };
export type UserStatus = UserRecord['status'];

/** A balance holder: a user's wallet, or a system account such as the fee collector. */
export interface WalletRecord {
  account: string;
  /** Whole smallest units, decimal. */
  balance: string;
}

export interface GenesisRecord {
  fabricUserId: string;
  amount: string;
  tier: number;
  requestId: string;
  timestamp: string;
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

/** Writes a record as canonical JSON (identical bytes on every endorser). */
export async function writeRecord(ctx: Context, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, Buffer.from(canonicalJson(value), 'utf8'));
}
