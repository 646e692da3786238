/**
 * The password policy (a zxcvbn-ts strength estimate, offline) and password hashing with argon2id (@node-rs/argon2 defaults: argon2id, m=19 MiB, t=2, p=1, which are OWASP's
 * recommended minimum), in a native thread so the event loop stays free.
 *
 * Every hash and verification passes one process-wide {@link ConcurrencyLimit} (issue 29): argon2 is CPU and
 * memory by design, so a login flood would otherwise queue without end in the thread pool (which file and DNS
 * work share) and stall the whole process. Past `GX_ARGON2_MAX_WAIT_MS` in the queue the request is refused
 * (503 with Retry-After, src/http/error-handler.ts) instead.
 */
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { createConcurrencyLimit } from '../../concurrency-limit.js';

interface PasswordWorkSettings {
  /** Hashes and verifications at once (default: the machine's cores). */
  concurrency: number;
  /** Longest wait for a turn before the request is refused. */
  maxWaitMs: number;
}

export const PASSWORD_WORK_DEFAULTS: PasswordWorkSettings = { concurrency: availableParallelism(), maxWaitMs: 1000 };

let passwordWork = createConcurrencyLimit({ ...PASSWORD_WORK_DEFAULTS, name: 'password hashing' });

/**
 * Sets the bound on password work (`gx api` from GX_ARGON2_*; an unset value keeps its default); work already
 * queued keeps the old one.
 */
export function configurePasswordWork(settings: { concurrency?: number | undefined; maxWaitMs?: number }): void {
  passwordWork = createConcurrencyLimit({
    concurrency: settings.concurrency ?? PASSWORD_WORK_DEFAULTS.concurrency,
    maxWaitMs: settings.maxWaitMs ?? PASSWORD_WORK_DEFAULTS.maxWaitMs,
    name: 'password hashing',
  });
}

/** Hashes a password into a PHC string (`$argon2id$v=19$...`), salt included. */
export function hashPassword(password: string): Promise<string> {
  return passwordWork.run(() => hash(password));
}

/**
 * True when `password` matches `passwordHash`; false for a mismatch or an unreadable hash. Throws
 * QueueDeadlineError (src/concurrency-limit.ts) when the work could not start in time.
 */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return passwordWork.run(() => verify(passwordHash, password).catch(() => false));
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
