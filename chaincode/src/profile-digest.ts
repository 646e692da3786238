/**
 * The backend's profile id never goes on the ledger in clear: the user record, its uniqueness key and the
 * UserCreated event carry this digest instead. A profile id is a random UUID (122 bits), so the digest cannot
 * be reversed by guessing, yet the backend, which knows its profile ids, can recompute and compare it.
 */
import { createHash } from 'node:crypto';

export function profileDigest(profileId: string): string {
  return createHash('sha256').update(`gx-profile:${profileId.toLowerCase()}`, 'utf8').digest('hex');
}
