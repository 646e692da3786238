/**
 * The password policy (a zxcvbn-ts strength estimate, offline) and password hashing with argon2id (@node-rs/argon2 defaults: argon2id, m=19 MiB, t=2, p=1, which are OWASP's
 * recommended minimum), in a native thread so the event loop stays free.
 */
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

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

/** Weakest acceptable zxcvbn score (0–4): 3 is "safely unguessable" against an offline slow-hash attack. */
export const MIN_PASSWORD_SCORE = 3;
/** zxcvbn's time grows with length; beyond this many characters a password is judged by its start. */
const ANALYSED_LENGTH = 100;

let estimator: ZxcvbnFactory | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads zxcvbn-ts with its common and English dictionaries (offline; ~150 ms), once; the routes that check
 * passwords await it when they are registered. Imported here rather than at the top: the dictionaries are
 * ~300k strings (~20 MiB of heap), and every role imports this slice, but only an API serving identity
 * routes checks passwords.
 */
export function warmPasswordPolicy(): Promise<void> {
  loading ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, en]) => {
    estimator = new core.ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    });
  });
  return loading;
}

function strengthEstimator(): ZxcvbnFactory {
  if (!estimator) throw new Error('the password policy is not loaded: await warmPasswordPolicy() first');
  return estimator;
}

/**
 * Why `password` is refused, or undefined when it is strong enough: a strength estimate with dictionaries of
 * common passwords, words and names, keyboard patterns, dates and repeats, and the user's own data (`userInputs`:
 * email, its local part, names), so "password", "12345678", eight spaces or the email itself are refused.
 */
export function passwordProblem(password: string, userInputs: readonly string[]): string | undefined {
  const inputs = userInputs.flatMap((input) => [input, ...input.split(/[@\s.]+/)]).filter((input) => input.length > 1);
  const result = strengthEstimator().check(password.slice(0, ANALYSED_LENGTH), inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `is too easy to guess${why ? `: ${why}` : ''}`;
}
