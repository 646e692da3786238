/**
 * Password hashing with argon2id (@node-rs/argon2 defaults: argon2id, m=19 MiB, t=2, p=1, which are OWASP's
 * recommended minimum), in a native thread so the event loop stays free.
 */
import { hash, verify } from '@node-rs/argon2';

/** Hashes a password into a PHC string (`$argon2id$v=19$...`), salt included. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** True when `password` matches `passwordHash`; false for a mismatch or an unreadable hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of a real verification when the email is unknown, so response time does not tell
 * whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword('gx-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}
