/** Users family: on-chain registration (with the user's wallet) and lock status. */
import type { EventHandler } from './handler.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const userCreated: EventHandler<'UserCreated'> = {
  event: 'UserCreated',
  project(payload, context, changes) {
    if (payload.version === 2) {
      // The ledger keeps only a digest of the profile id: the profile is the one of the CREATE_USER command
      // this backend issued under the event's request id, if its digest matches (write-read-model-changes.ts).
      // A user created by other means matches no command: its wallet exists, unlinked.
      changes.registerProfile({
        requestId: payload.requestId,
        profileDigest: payload.profileDigest,
        fabricUserId: payload.fabricUserId,
        registeredAt: payload.timestamp,
      });
      changes.setWallet({
        fabricUserId: payload.wallet.fabricUserId,
        balance: payload.wallet.balance,
        linkRegisteredProfile: true,
        lastBlock: context.blockNumber,
      });
      changes.markProjected(payload.requestId);
      return;
    }
    // Version 1 carried the profile id in clear. Users created on the ledger by other means carry a profile id
    // that is not ours: the wallet still exists, it is just not linked to a profile.
    const profileId = UUID.test(payload.profileId) ? payload.profileId.toLowerCase() : undefined;
    if (profileId !== undefined) {
      changes.registerProfile({ profileId, fabricUserId: payload.fabricUserId, registeredAt: payload.timestamp });
    }
    changes.setWallet({
      fabricUserId: payload.wallet.fabricUserId,
      balance: payload.wallet.balance,
      profileId,
      lastBlock: context.blockNumber,
    });
    changes.markProjected(payload.requestId);
  },
};

export const userStatusChanged: EventHandler<'UserStatusChanged'> = {
  event: 'UserStatusChanged',
  project(payload, _context, changes) {
    changes.setLock({
      fabricUserId: payload.fabricUserId,
      locked: payload.status === 'LOCKED',
      reason: payload.reason,
      at: payload.timestamp,
    });
    changes.markProjected(payload.requestId);
  },
};
