/**
 * A short-lived in-process cache of what a transfer needs to know about its sender (off-chain status, Fabric
 * user id, lock, on-chain status), so a busy writer costs one database round trip per request (the outbox insert, itself
 * shared through group commit) instead of two. Entries live `ttlMs` (default 1 s): a lock or an on-chain
 * registration reaches transfers of this replica within that time. The ledger remains the judge of
 * balances, so a stale entry can never overspend.
 */
import type { Profile } from '../identity/index.js';

export type Sender = Pick<Profile, 'profileId' | 'status' | 'fabricUserId' | 'isLocked' | 'onchainStatus'>;

export interface SenderCache {
  get(profileId: string): Promise<Sender | undefined>;
}

export function createSenderCache(
  loadProfile: (profileId: string) => Promise<Profile | undefined>,
  options: { ttlMs?: number; capacity?: number } = {},
): SenderCache {
  const ttlMs = options.ttlMs ?? 1000;
  const capacity = options.capacity ?? 50_000;
  const entries = new Map<string, { at: number; value: Promise<Sender | undefined> }>();
  return {
    get(profileId) {
      const now = Date.now();
      const hit = entries.get(profileId);
      if (hit && now - hit.at < ttlMs) return hit.value;
      // Concurrent misses share one query.
      const value = loadProfile(profileId).then(
        (profile) =>
          profile && {
            profileId: profile.profileId,
            status: profile.status,
            fabricUserId: profile.fabricUserId,
            isLocked: profile.isLocked,
            onchainStatus: profile.onchainStatus,
          },
      );
      value.catch(() => entries.delete(profileId));
      entries.delete(profileId);
      entries.set(profileId, { at: now, value });
      if (entries.size > capacity) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return value;
    },
  };
}
