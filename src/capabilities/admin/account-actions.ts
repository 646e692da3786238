/**
 * The v2 admin account actions (docs/api.md, "Identity, KYC, trust"): suspend, reinstate, close and the re-drive
 * of a failed on-chain registration. Each is one transaction with its status transition (audited by the
 * status machine) and the admin's own audit entry.
 */
import type pg from 'pg';
import { recordAudit } from '../../db/audit.js';
import { inTransaction } from '../../db/pool.js';
import { retryCommand } from '../../outbox/dead-letters.js';
import { findProfile, type Profile, revokeOtherSessions, transitionAccount } from '../identity/index.js';
import { type Actor, ProfileNotFoundError, ProfileStateError, transitionActor } from './actions.js';

/** The off-chain account actions; each answers the profile as it is afterwards. */
export type AccountAction = 'suspend' | 'reinstate' | 'close';

const EVENTS = { suspend: 'SUSPEND', reinstate: 'REINSTATE', close: 'CLOSE' } as const;

/**
 * Suspends (login refused, every refresh token revoked), reinstates (back to the status before the suspension)
 * or closes (final; the data is kept, login impossible) an account. An admin cannot suspend or close their own.
 */
export async function changeAccount(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
  action: AccountAction,
  reason: string | null,
): Promise<Profile> {
  return inTransaction(pool, async (client) => {
    if (action !== 'reinstate' && profileId === actor.profileId) {
      throw new ProfileStateError(`an admin cannot ${action} their own account`);
    }
    const moved = await transitionAccount(client, profileId, EVENTS[action], transitionActor(actor), reason);
    if (!moved) throw new ProfileNotFoundError();
    // Sessions end with the suspension or closure; access tokens stop at the next request (account state).
    if (action !== 'reinstate') await revokeOtherSessions(client, profileId, undefined);
    await recordAudit(client, {
      actorId: actor.profileId,
      actorRole: actor.role,
      action: `user.${action}`,
      targetType: 'user_profile',
      targetId: profileId,
      requestId: actor.requestId,
      details: { reason, from: moved.from, to: moved.to },
    });
    const profile = await findProfile(client, profileId);
    if (!profile) throw new ProfileNotFoundError();
    return profile;
  });
}

/**
 * Re-drives the profile's CREATE_USER after it failed for good: the same outbox command is queued again (its
 * request id, so its transaction id, unchanged), so the ledger can register the user at most once whatever
 * happened before. The queued command moves the profile back to PENDING_ONCHAIN (migration 0009's trigger),
 * in this transaction. Refused (409) unless the profile is ONCHAIN_FAILED.
 */
export async function retryOnchainRegistration(
  pool: pg.Pool,
  actor: Actor,
  profileId: string,
): Promise<{ commandId: string }> {
  return inTransaction(pool, async (client) => {
    const profile = await findProfile(client, profileId, true);
    if (!profile) throw new ProfileNotFoundError();
    if (profile.accountStatus !== 'ONCHAIN_FAILED') {
      throw new ProfileStateError(`the profile is ${profile.accountStatus}, not ONCHAIN_FAILED`);
    }
    const command = await client.query<{ id: string }>(
      `SELECT id FROM outbox_command WHERE command_type = 'CREATE_USER' AND payload->>'profileId' = $1
        ORDER BY created_at DESC LIMIT 1`,
      [profileId],
    );
    const commandId = command.rows[0]?.id;
    if (commandId === undefined) throw new ProfileStateError('the profile has no CREATE_USER command to retry');
    const retried = await retryCommand(client, commandId, actor.profileId);
    if (!retried.ok) throw new ProfileStateError(`its CREATE_USER command ${commandId} is not FAILED`);
    await recordAudit(client, {
      actorId: actor.profileId,
      actorRole: actor.role,
      action: 'user.retry_onchain',
      targetType: 'user_profile',
      targetId: profileId,
      requestId: actor.requestId,
      details: { commandId },
    });
    return { commandId };
  });
}
