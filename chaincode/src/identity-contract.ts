import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { requireNotPaused } from './accounts';
import { createUserTransientKey, type NewUser, newUserSchema } from './arguments';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import { accountTypes, checkFabricUserId } from './fabric-user-id';
import { decideGenesis } from './genesis';
import { runIdempotent } from './idempotent-request';
import { requireSystemParams, requireUser, requireUserIdFormat } from './lookups';
import { profileDigest } from './profile-digest';
import {
  answerRelationship,
  endRelationship,
  type RelationshipChange,
  relationshipOf,
  requestRelationship,
  trustScoreOfUser,
} from './relationships';
import type { CountryRecord } from './system-params';
import { keys, readRecord, type UserRecord, type UserStatus, type WalletRecord, writeRecord } from './world-state';

/** Account types only bootstrap creates (treasuries) or nobody does (system pools). */
const notRegistrable: readonly number[] = [accountTypes.GOVERNMENT_TREASURY, accountTypes.SYSTEM];

const statuses: readonly UserStatus[] = ['ACTIVE', 'LOCKED'];
const maxReasonLength = 500;

/** The event payload of a relationship function (docs/trust.md, Events). */
function relationshipEvent(requestId: string, timestamp: string, change: RelationshipChange) {
  return { version: 1 as const, requestId, timestamp, ...change };
}

/** On-chain users: creation (with their wallet), lookup, locking, and their relationships and trust scores. */
@Info({ title: 'IdentityContract', description: 'GX users and their wallets' })
export class IdentityContract extends Contract {
  constructor() {
    super('IdentityContract');
  }

  /**
   * Creates a user, its wallet and its genesis decision in one transaction (docs/tokenomics.md): the private
   * facts come from the transient map (`user`), are checked against the id (format, country, checksum, birth
   * date and gender, account type) and are not kept. Refuses a paused system, an unknown country
   * (GX_NOT_FOUND), treasury and system account types, a second user with the same id or profile. Returns
   * (and emits as UserCreated v3) the event payload, with the wallet and the genesis outcome.
   */
  @Transaction()
  @Returns('string')
  async CreateUser(ctx: Context, requestId: string, fabricUserId: string): Promise<string> {
    const userJson = transientText(ctx, createUserTransientKey);
    return runIdempotent(ctx, {
      fn: 'IdentityContract:CreateUser',
      requestId,
      // The transient value is part of the request: the same id with other facts is another request.
      args: [fabricUserId, userJson ?? ''],
      event: 'UserCreated',
      apply: async (timestamp) => {
        requireUserIdFormat('fabricUserId', fabricUserId);
        const user = parseNewUser(userJson);
        if (notRegistrable.includes(user.accountType)) {
          throw gxError(
            'GX_INVALID_ARGUMENT',
            `accountType ${user.accountType.toString(16).toUpperCase()}: treasuries and system pools exist only by bootstrap`,
          );
        }
        // The transaction time, not the wall clock: every endorser must reach the same verdict.
        if (user.dateOfBirth > timestamp.slice(0, 10)) {
          throw gxError('GX_INVALID_ARGUMENT', `dateOfBirth ${user.dateOfBirth} is after the transaction date`);
        }
        const countryCode = fabricUserId.slice(0, 2);
        const problems = checkFabricUserId(fabricUserId, { ...user, countryCode });
        if (problems.length > 0) {
          throw gxError('GX_INVALID_ARGUMENT', `fabricUserId does not match the user: ${problems.join('; ')}`);
        }
        const params = await requireSystemParams(ctx);
        // Genesis is a value movement: a paused system registers nobody rather than half a user.
        await requireNotPaused(ctx);
        const country = await readRecord<CountryRecord>(ctx, keys.country(countryCode));
        if (country === undefined) {
          throw gxError(
            'GX_NOT_FOUND',
            `fabricUserId: country ${countryCode} is not in the bootstrapped country table`,
          );
        }
        if ((await readRecord<UserRecord>(ctx, keys.user(fabricUserId))) !== undefined) {
          throw gxError('GX_ALREADY_EXISTS', `user "${fabricUserId}" already exists`);
        }
        const digest = profileDigest(user.profileId);
        const owner = await readRecord<string>(ctx, keys.profile(digest));
        if (owner !== undefined) {
          throw gxError('GX_ALREADY_EXISTS', `profile "${user.profileId}" already has user "${owner}"`);
        }
        const genesis = await decideGenesis(ctx, params, country, {
          fabricUserId,
          accountType: user.accountType,
          dateOfBirth: user.dateOfBirth,
          requestId,
          timestamp,
        });
        const record: UserRecord = {
          fabricUserId,
          profileDigest: digest,
          countryCode,
          accountType: user.accountType,
          status: 'ACTIVE',
          statusReason: '',
          createdAt: timestamp,
          updatedAt: timestamp,
        };
        const balance = genesis.userBalance.toString();
        await writeRecord(ctx, keys.user(fabricUserId), record);
        await writeRecord(ctx, keys.profile(digest), fabricUserId);
        await writeRecord(ctx, keys.wallet(fabricUserId), { account: fabricUserId, balance } satisfies WalletRecord);
        return {
          version: 3,
          requestId,
          fabricUserId,
          profileDigest: digest,
          countryCode,
          accountType: user.accountType,
          status: 'ACTIVE',
          wallet: { fabricUserId, balance },
          genesis: genesis.decision,
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
          ...user,
          status: status as UserStatus,
          statusReason: reason,
          updatedAt: timestamp,
        } satisfies UserRecord);
        return { version: 1, requestId, fabricUserId, status: status as UserStatus, reason, timestamp };
      },
    });
  }

  /**
   * `from` asks `to` to confirm a relationship of `type` (docs/trust.md): both active users, not oneself, no
   * active relationship of the type between the pair. The id derives from the request id. Emits
   * RelationshipRequested.
   */
  @Transaction()
  @Returns('string')
  async RequestRelationship(
    ctx: Context,
    requestId: string,
    fromFabricUserId: string,
    toFabricUserId: string,
    type: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'IdentityContract:RequestRelationship',
      requestId,
      args: [fromFabricUserId, toFabricUserId, type],
      event: 'RelationshipRequested',
      apply: async (timestamp) =>
        relationshipEvent(
          requestId,
          timestamp,
          await requestRelationship(ctx, requestId, fromFabricUserId, toFabricUserId, type, timestamp),
        ),
    });
  }

  /** The other party confirms a pending request; both trust scores are recomputed. Emits RelationshipConfirmed. */
  @Transaction()
  @Returns('string')
  async ConfirmRelationship(
    ctx: Context,
    requestId: string,
    relationshipId: string,
    byFabricUserId: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'IdentityContract:ConfirmRelationship',
      requestId,
      args: [relationshipId, byFabricUserId],
      event: 'RelationshipConfirmed',
      apply: async (timestamp) =>
        relationshipEvent(
          requestId,
          timestamp,
          await answerRelationship(ctx, relationshipId, byFabricUserId, 'CONFIRMED', timestamp),
        ),
    });
  }

  /** The other party rejects a pending request. Emits RelationshipRejected. */
  @Transaction()
  @Returns('string')
  async RejectRelationship(
    ctx: Context,
    requestId: string,
    relationshipId: string,
    byFabricUserId: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'IdentityContract:RejectRelationship',
      requestId,
      args: [relationshipId, byFabricUserId],
      event: 'RelationshipRejected',
      apply: async (timestamp) =>
        relationshipEvent(
          requestId,
          timestamp,
          await answerRelationship(ctx, relationshipId, byFabricUserId, 'REJECTED', timestamp),
        ),
    });
  }

  /**
   * Either party ends a pending or confirmed relationship; ending a confirmed one recomputes both trust
   * scores. Emits RelationshipEnded.
   */
  @Transaction()
  @Returns('string')
  async EndRelationship(
    ctx: Context,
    requestId: string,
    relationshipId: string,
    byFabricUserId: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'IdentityContract:EndRelationship',
      requestId,
      args: [relationshipId, byFabricUserId],
      event: 'RelationshipEnded',
      apply: async (timestamp) =>
        relationshipEvent(requestId, timestamp, await endRelationship(ctx, relationshipId, byFabricUserId, timestamp)),
    });
  }

  /** The relationship record as JSON. */
  @Transaction(false)
  @Returns('string')
  async GetRelationship(ctx: Context, relationshipId: string): Promise<string> {
    return canonicalJson(await relationshipOf(ctx, relationshipId));
  }

  /** A user's trust score, its capped breakdown and raw sums, as JSON. */
  @Transaction(false)
  @Returns('string')
  async GetTrustScore(ctx: Context, fabricUserId: string): Promise<string> {
    return canonicalJson(await trustScoreOfUser(ctx, fabricUserId));
  }
}

/** A transient-map entry as UTF-8 text; `undefined` when the proposal has none under `key`. */
function transientText(ctx: Context, key: string): string | undefined {
  const value = ctx.stub.getTransient().get(key);
  return value === undefined ? undefined : Buffer.from(value).toString('utf8');
}

function parseNewUser(userJson: string | undefined): NewUser {
  if (userJson === undefined) {
    throw gxError('GX_INVALID_ARGUMENT', `transient "${createUserTransientKey}": missing (the user's private facts)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(userJson);
  } catch {
    throw gxError('GX_INVALID_ARGUMENT', `transient "${createUserTransientKey}" is not JSON`);
  }
  const result = newUserSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(user)'}: ${issue.message}`);
    throw gxError('GX_INVALID_ARGUMENT', `invalid transient "${createUserTransientKey}": ${issues.join('; ')}`);
  }
  return result.data;
}
