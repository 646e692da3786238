/**
 * Administrative decisions on users and the system. Each runs in one transaction with its audit entry and,
 * when it touches the ledger, its outbox row (the transactional outbox).
 */
import { type FreezeReason, type Gender, generateFabricUserId, identityDigest, type SystemParams } from '@gx/chaincode';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { recordAudit } from '../../db/audit.js';
import { inTransaction } from '../../db/pool.js';
import { enqueueCommand } from '../../outbox/enqueue.js';
import { findLiveCommandOfType } from '../../outbox/status.js';
import {
  findProfile,
  type Profile,
  setProfileColumns,
  type TransitionActor,
  transitionAccount,
} from '../identity/index.js';
import { isWalletFrozen } from '../tokens/wallets.js';

/** The admin acting, and the request it acts in (for the audit trail). */
export interface Actor {
  profileId: string;
  role: string;
  requestId: string;
}

export const actorOf = (request: FastifyRequest): Actor => ({
  profileId: request.user.sub,
  role: request.user.role,
  requestId: request.id,
});

/** Raised when the profile's state does not allow the action (answers 409). */
export class ProfileStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileStateError';
  }
}

/** The audit trail's view of an actor, for the status machine. */
export const transitionActor = (actor: Actor): TransitionActor => ({
  actorId: actor.profileId,
  actorRole: actor.role,
  requestId: actor.requestId,
});

export class ProfileNotFoundError extends Error {
  constructor() {
    super('profile not found');
    this.name = 'ProfileNotFoundError';
  }
}

async function lockedProfile(client: pg.ClientBase, profileId: string): Promise<Profile> {
  const profile = await findProfile(client, profileId, true);
  if (!profile) throw new ProfileNotFoundError();
  return profile;
}

function audit(
  client: pg.ClientBase,
  actor: Actor,
  action: string,
  targetId: string,
  details?: Record<string, unknown>,
) {
  return recordAudit(client, {
    actorId: actor.profileId,
    actorRole: actor.role,
    action,
    targetType: 'user_profile',
    targetId,
    requestId: actor.requestId,
    ...(details ? { details } : {}),
  });
}

/**
 * Approves a registration: generates the Fabric user id and enqueues CREATE_USER. The profile becomes
 * PENDING_ONCHAIN (v1: APPROVED / onchain PENDING); the projector sets fabricUserId and REGISTERED (v2: ACTIVE)
 * when the ledger has it. With `kycRequired`, only a KYC_APPROVED profile may be approved.
 */
export async function approveRegistration(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
  accountType: number,
  kycRequired: boolean,
): Promise<{ commandId: string; profile: Profile; fabricUserId: string }> {
  return inTransaction(pool, async (client) => {
    const profile = await lockedProfile(client, profileId);
    if (!profile.nationalityCountryCode || !profile.dateOfBirth || !profile.gender) {
      throw new ProfileStateError('profile lacks nationality, date of birth or gender');
    }
    const facts = {
      email: profile.email,
      dateOfBirth: profile.dateOfBirth,
      countryCode: profile.nationalityCountryCode,
    };
    // Once the country table is projected, a country outside it is refused here: the ledger would refuse the
    // registration (GX_NOT_FOUND) and leave the profile APPROVED with nothing on-chain.
    const table = await client.query<{ known: boolean; bootstrapped: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM country WHERE code = $1) AS known, EXISTS (SELECT 1 FROM country) AS bootstrapped',
      [facts.countryCode],
    );
    if (table.rows[0]?.bootstrapped && !table.rows[0].known) {
      throw new ProfileStateError(
        `nationalityCountryCode ${facts.countryCode} is not in the bootstrapped country table, so the ledger cannot register it`,
      );
    }
    const gender = profile.gender as Gender;
    const fabricUserId = generateFabricUserId({ ...facts, gender, accountType });
    const command = await enqueueCommand(client, {
      commandType: 'CREATE_USER',
      payload: {
        profileId,
        fabricUserId,
        countryCode: facts.countryCode,
        dateOfBirth: facts.dateOfBirth,
        gender,
        accountType,
        identityDigest: identityDigest(facts),
      },
      submittedBy: actor.profileId,
    });
    await transitionAccount(
      client,
      profileId,
      kycRequired ? 'APPROVE_USER' : 'APPROVE_USER_WITHOUT_KYC',
      transitionActor(actor),
      kycRequired ? 'KYC approved' : 'GX_KYC_REQUIRED is off',
    );
    const updated = await setProfileColumns(client, profileId, {
      status: 'APPROVED',
      onchain_status: 'PENDING',
      reviewed_by: actor.profileId,
      reviewed_at: new Date(),
    });
    await audit(client, actor, 'user.approve', profileId, { commandId: command.commandId, fabricUserId });
    return { commandId: command.commandId, profile: updated, fabricUserId };
  });
}

export async function denyRegistration(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
  reason: string,
): Promise<Profile> {
  return inTransaction(pool, async (client) => {
    const profile = await lockedProfile(client, profileId);
    if (profile.status !== 'REGISTERED') throw new ProfileStateError(`profile is ${profile.status}, not REGISTERED`);
    // v2 reading: a refused registration is a closed account (final, data kept).
    await transitionAccount(client, profileId, 'CLOSE', transitionActor(actor), reason);
    const updated = await setProfileColumns(client, profileId, {
      status: 'DENIED',
      denial_reason: reason,
      reviewed_by: actor.profileId,
      reviewed_at: new Date(),
    });
    await audit(client, actor, 'user.deny', profileId, { reason });
    return updated;
  });
}

/**
 * Whether a super admin other than `profileId` can still act. Locks of super admins are serialized (a
 * transaction-scoped advisory lock; each statement then reads what the previous lock committed), so two admins
 * locking the last two super admins at once cannot both see the other one unlocked.
 */
async function anotherActiveSuperAdmin(client: pg.ClientBase, profileId: string): Promise<boolean> {
  await client.query('SELECT pg_advisory_xact_lock(7351020203)');
  const others = await client.query(
    `SELECT 1 FROM user_profile WHERE role = 'super_admin' AND NOT is_locked AND profile_id <> $1 LIMIT 1`,
    [profileId],
  );
  return (others.rowCount ?? 0) > 0;
}

/**
 * Locks or unlocks an account. Off-chain at once (login and transfers refused); for a user registered on
 * the ledger, also enqueues UPDATE_USER_STATUS so the ledger agrees.
 */
export async function setAccountLock(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
  lock: { locked: true; reason: string; notes?: string | undefined } | { locked: false },
): Promise<{ profile: Profile; commandId: string | null }> {
  return inTransaction(pool, async (client) => {
    const profile = await lockedProfile(client, profileId);
    if (profile.isLocked === lock.locked) {
      throw new ProfileStateError(`profile is already ${lock.locked ? 'locked' : 'unlocked'}`);
    }
    if (lock.locked && profile.profileId === actor.profileId) {
      throw new ProfileStateError('an admin cannot lock their own account');
    }
    if (lock.locked && profile.role === 'super_admin' && !(await anotherActiveSuperAdmin(client, profileId))) {
      throw new ProfileStateError('the last unlocked super admin cannot be locked');
    }
    const updated = await setProfileColumns(
      client,
      profileId,
      lock.locked
        ? {
            is_locked: true,
            lock_reason: lock.reason,
            lock_notes: lock.notes ?? null,
            locked_by: actor.profileId,
            locked_at: new Date(),
          }
        : // Unlocking also clears the login slowdown, so the user can sign in at once.
          {
            is_locked: false,
            lock_reason: null,
            lock_notes: null,
            locked_by: null,
            locked_at: null,
            failed_login_count: 0,
            last_failed_login_at: null,
          },
    );
    let commandId: string | null = null;
    if (profile.fabricUserId) {
      const command = await enqueueCommand(client, {
        commandType: 'UPDATE_USER_STATUS',
        payload: {
          fabricUserId: profile.fabricUserId,
          status: lock.locked ? 'LOCKED' : 'ACTIVE',
          reason: lock.locked ? lock.reason : 'unlocked by an administrator',
        },
        submittedBy: actor.profileId,
      });
      commandId = command.commandId;
    }
    await audit(client, actor, lock.locked ? 'user.lock' : 'user.unlock', profileId, {
      ...(lock.locked ? { reason: lock.reason, notes: lock.notes ?? null } : {}),
      commandId,
    });
    return { profile: updated, commandId };
  });
}

/**
 * Freezes or unfreezes a user's wallet on the ledger (FREEZE_WALLET / UNFREEZE_WALLET): the ledger then
 * refuses every movement to or from it. Refused (409) before on-chain registration and when the read model
 * already shows the wallet in that state; should two admins race, the ledger decides.
 */
export async function setWalletFreeze(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
  change: { frozen: boolean; reason: FreezeReason; notes?: string | undefined },
): Promise<{ commandId: string }> {
  return inTransaction(pool, async (client) => {
    const profile = await lockedProfile(client, profileId);
    if (!profile.fabricUserId || profile.onchainStatus !== 'REGISTERED') {
      throw new ProfileStateError('the user is not registered on the ledger yet');
    }
    if ((await isWalletFrozen(client, profile.fabricUserId)) === change.frozen) {
      throw new ProfileStateError(`the wallet is ${change.frozen ? 'already frozen' : 'not frozen'}`);
    }
    const command = await enqueueCommand(client, {
      commandType: change.frozen ? 'FREEZE_WALLET' : 'UNFREEZE_WALLET',
      payload: { fabricUserId: profile.fabricUserId, reason: change.reason, notes: change.notes ?? '' },
      submittedBy: actor.profileId,
    });
    await audit(client, actor, change.frozen ? 'user.freeze' : 'user.unfreeze', profileId, {
      reason: change.reason,
      notes: change.notes ?? null,
      commandId: command.commandId,
    });
    return { commandId: command.commandId };
  });
}

/** Enqueues the genesis distribution for a user registered on the ledger. */
export async function distributeGenesis(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
): Promise<{ commandId: string }> {
  return inTransaction(pool, async (client) => {
    const profile = await lockedProfile(client, profileId);
    if (!profile.fabricUserId || profile.onchainStatus !== 'REGISTERED') {
      throw new ProfileStateError('the user is not registered on the ledger yet');
    }
    const command = await enqueueCommand(client, {
      commandType: 'DISTRIBUTE_GENESIS',
      payload: { fabricUserId: profile.fabricUserId },
      submittedBy: actor.profileId,
    });
    await audit(client, actor, 'user.genesis', profileId, { commandId: command.commandId });
    return { commandId: command.commandId };
  });
}

/** Raised when the system was bootstrapped already (or a bootstrap is on its way). */
export class AlreadyBootstrappedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlreadyBootstrappedError';
  }
}

/**
 * Enqueues BOOTSTRAP_SYSTEM. Refused when the read model shows a bootstrapped system or another bootstrap is
 * pending; should one slip through (two API replicas at once), the chaincode rejects the second for good.
 */
export async function bootstrapSystem(
  pool: pg.Pool,
  actor: Actor,
  params: SystemParams,
): Promise<{ commandId: string }> {
  return inTransaction(pool, async (client) => {
    // Serialises concurrent bootstraps through this API.
    await client.query('SELECT pg_advisory_xact_lock(7351020202)');
    const state = await client.query('SELECT 1 FROM system_state LIMIT 1');
    if ((state.rowCount ?? 0) > 0) throw new AlreadyBootstrappedError('the system is already bootstrapped');
    const pending = await findLiveCommandOfType(client, 'BOOTSTRAP_SYSTEM');
    if (pending) throw new AlreadyBootstrappedError(`a bootstrap command exists already (${pending})`);
    const command = await enqueueCommand(client, {
      commandType: 'BOOTSTRAP_SYSTEM',
      payload: { params },
      submittedBy: actor.profileId,
    });
    await recordAudit(client, {
      actorId: actor.profileId,
      actorRole: actor.role,
      action: 'system.bootstrap',
      targetType: 'system',
      targetId: 'system',
      requestId: actor.requestId,
      details: { commandId: command.commandId, params },
    });
    return { commandId: command.commandId };
  });
}

/** Records a dead-letter action (retry/discard) by an admin. */
export async function auditCommandAction(
  pool: pg.Pool | pg.ClientBase,
  actor: Actor,
  action: string,
  commandId: string,
): Promise<void> {
  await recordAudit(pool, {
    actorId: actor.profileId,
    actorRole: actor.role,
    action,
    targetType: 'outbox_command',
    targetId: commandId,
    requestId: actor.requestId,
  });
}
