import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import { checkFabricUserId, genders } from './fabric-user-id';
import { runIdempotent } from './idempotent-request';
import { requireUser, requireUserIdFormat } from './lookups';
import { profileDigest } from './profile-digest';
import { keys, readRecord, type UserRecord, type UserStatus, type WalletRecord, writeRecord } from './world-state';

/**
 * CreateUser's `userJson`. Birth date, gender and the identity digest are only checked against the id (its
 * birth field and checksum), and the profile id is stored as a digest: none of them is kept in clear.
 */
const newUserSchema = z.object({
  profileId: z.string().min(1).max(128),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code'),
  dateOfBirth: z.iso.date(),
  gender: z.enum(genders),
  accountType: z.number().int().min(0).max(15),
  identityDigest: z.string().regex(/^[0-9a-f]{40}$/, 'must be a lower-case hex SHA-1 digest'),
});

const statuses: readonly UserStatus[] = ['ACTIVE', 'LOCKED'];
const maxReasonLength = 500;

/** On-chain users: creation (with their wallet), lookup, and locking. */
@Info({ title: 'IdentityContract', description: 'GX users and their wallets' })
export class IdentityContract extends Contract {
  constructor() {
    super('IdentityContract');
  }

  /**
   * Creates a user and its wallet after checking the id against the user's facts (format, country, checksum,
   * birth date and gender, account type). Rejects a second user with the same id or the same profileId.
   * Returns (and emits as UserCreated) the event payload, including the wallet.
   */
  @Transaction()
  @Returns('string')
  async CreateUser(ctx: Context, requestId: string, fabricUserId: string, userJson: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'IdentityContract:CreateUser',
      requestId,
      args: [fabricUserId, userJson],
      event: 'UserCreated',
      apply: async (timestamp) => {
        requireUserIdFormat('fabricUserId', fabricUserId);
        const user = parseNewUser(userJson);
        // The transaction time, not the wall clock: every endorser must reach the same verdict.
        if (user.dateOfBirth > timestamp.slice(0, 10)) {
          throw gxError('GX_INVALID_ARGUMENT', `dateOfBirth ${user.dateOfBirth} is after the transaction date`);
        }
        const problems = checkFabricUserId(fabricUserId, user);
        if (problems.length > 0) {
          throw gxError('GX_INVALID_ARGUMENT', `fabricUserId does not match the user: ${problems.join('; ')}`);
        }
        if ((await readRecord<UserRecord>(ctx, keys.user(fabricUserId))) !== undefined) {
          throw gxError('GX_ALREADY_EXISTS', `user "${fabricUserId}" already exists`);
        }
        const digest = profileDigest(user.profileId);
        // Users created before digests were stored are keyed by the profile id itself.
        const owner =
          (await readRecord<string>(ctx, keys.profile(digest))) ??
          (await readRecord<string>(ctx, keys.profile(user.profileId)));
        if (owner !== undefined) {
          throw gxError('GX_ALREADY_EXISTS', `profile "${user.profileId}" already has user "${owner}"`);
        }
        const record: UserRecord = {
          fabricUserId,
          profileDigest: digest,
          countryCode: user.countryCode,
          accountType: user.accountType,
          status: 'ACTIVE',
          statusReason: '',
          createdAt: timestamp,
          updatedAt: timestamp,
        };
        // A wallet can predate its user when the fee collector is configured as a user id: keep its balance.
        const wallet = (await readRecord<WalletRecord>(ctx, keys.wallet(fabricUserId))) ?? {
          account: fabricUserId,
          balance: '0',
        };
        await writeRecord(ctx, keys.user(fabricUserId), record);
        await writeRecord(ctx, keys.profile(digest), fabricUserId);
        await writeRecord(ctx, keys.wallet(fabricUserId), wallet);
        return {
          version: 2,
          requestId,
          fabricUserId,
          profileDigest: digest,
          countryCode: user.countryCode,
          accountType: user.accountType,
          status: 'ACTIVE',
          wallet: { fabricUserId, balance: wallet.balance },
          timestamp,
        };
      },
    });
  }

  /** The user record as JSON (status, profile digest, country, account type, timestamps). */
  @Transaction(false)
  @Returns('string')
  async GetUser(ctx: Context, fabricUserId: string): Promise<string> {
    return canonicalJson(await requireUser(ctx, 'fabricUserId', fabricUserId));
  }

  /**
   * Locks (`LOCKED`) or unlocks (`ACTIVE`) a user; a locked user can neither send nor receive tokens.
   * Setting the current status again is allowed and records the new reason. Emits UserStatusChanged.
   */
  @Transaction()
  @Returns('string')
  async UpdateUserStatus(
    ctx: Context,
    requestId: string,
    fabricUserId: string,
    status: string,
    reason: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'IdentityContract:UpdateUserStatus',
      requestId,
      args: [fabricUserId, status, reason],
      event: 'UserStatusChanged',
      apply: async (timestamp) => {
        if (!statuses.includes(status as UserStatus)) {
          throw gxError('GX_INVALID_ARGUMENT', `status must be one of ${statuses.join(', ')}, got "${status}"`);
        }
        if (typeof reason !== 'string' || reason.length > maxReasonLength) {
          throw gxError('GX_INVALID_ARGUMENT', `reason must be at most ${maxReasonLength} characters`);
        }
        const user = await requireUser(ctx, 'fabricUserId', fabricUserId);
        await writeRecord(ctx, keys.user(fabricUserId), {
          ...currentRecord(user),
          status: status as UserStatus,
          statusReason: reason,
          updatedAt: timestamp,
        } satisfies UserRecord);
        return { version: 1, requestId, fabricUserId, status: status as UserStatus, reason, timestamp };
      },
    });
  }
}

/**
 * A stored user in today's shape. Records written before the privacy change carried profileId, dateOfBirth
 * and gender in clear: rewriting one drops them and keeps the profile as its digest.
 */
function currentRecord(stored: UserRecord & { profileId?: string }): UserRecord {
  return {
    fabricUserId: stored.fabricUserId,
    profileDigest: stored.profileDigest ?? profileDigest(stored.profileId ?? ''),
    countryCode: stored.countryCode,
    accountType: stored.accountType,
    status: stored.status,
    statusReason: stored.statusReason,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}

function parseNewUser(userJson: string): z.infer<typeof newUserSchema> {
  let json: unknown;
  try {
    json = JSON.parse(userJson);
  } catch {
    throw gxError('GX_INVALID_ARGUMENT', 'userJson is not JSON');
  }
  const result = newUserSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(user)'}: ${issue.message}`);
    throw gxError('GX_INVALID_ARGUMENT', `invalid userJson: ${issues.join('; ')}`);
  }
  return result.data;
}
