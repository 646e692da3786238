/**
 * Every error the API answers with, in one registry, so a status and its code are chosen in one place.
 *
 * | status | code                  | when                                                      |
 * |--------|-----------------------|-----------------------------------------------------------|
 * | 400    | InvalidInput          | a body, query or path parameter failed validation         |
 * | 400    | MalformedJson         | the body is not parseable JSON                            |
 * | 401    | Unauthorized          | no, expired or invalid access token                       |
 * | 401    | InvalidCredentials    | login failed (same for unknown email and wrong password)  |
 * | 401    | InvalidRefreshToken   | unknown, expired, revoked or reused refresh token         |
 * | 403    | Forbidden             | authenticated, but not allowed to do this                 |
 * | 403    | AccountLocked         | the account is locked by an administrator                 |
 * | 404    | NotFound              | no such resource (or not visible to the caller)           |
 * | 409    | Conflict (+ variants) | state does not allow the action; idempotency key misuse   |
 * | 413    | PayloadTooLarge       | body above GX_BODY_LIMIT_BYTES                            |
 * | 415    | UnsupportedMediaType  | a body that is not application/json                       |
 * | 429    | RateLimited           | too many requests (Retry-After says when to come back)    |
 * | 429    | TooManyLoginFailures  | the account's login is slowed down after failures         |
 * | 503    | ServiceUnavailable    | a dependency is down                                      |
 * | 500    | InternalError         | a bug; the message is hidden, the request id is logged    |
 */

/** One bad field of a request. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** An error with the HTTP status and code it answers with. Handlers throw these; the root handler renders them. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: readonly ErrorDetail[] | undefined;
  /** Seconds, for 429 and 503 answers. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: { details?: readonly ErrorDetail[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Factories for the errors of the table above. */
export const httpErrors = {
  invalidInput: (details: readonly ErrorDetail[], message = 'The request is invalid') =>
    new HttpError(400, 'InvalidInput', message, { details }),
  malformedJson: (message = 'The body is not valid JSON') => new HttpError(400, 'MalformedJson', message),
  unauthorized: (message = 'A valid access token is required') => new HttpError(401, 'Unauthorized', message),
  invalidCredentials: () => new HttpError(401, 'InvalidCredentials', 'Email or password is incorrect'),
  invalidRefreshToken: () =>
    new HttpError(401, 'InvalidRefreshToken', 'The refresh token is invalid, expired or already used'),
  forbidden: (message = 'You are not allowed to do this') => new HttpError(403, 'Forbidden', message),
  accountLocked: () => new HttpError(403, 'AccountLocked', 'The account is locked; contact support'),
  notFound: (what = 'Resource') => new HttpError(404, 'NotFound', `${what} not found`),
  conflict: (message: string, code = 'Conflict') => new HttpError(409, code, message),
  payloadTooLarge: (limit: number) =>
    new HttpError(413, 'PayloadTooLarge', `The body is larger than the limit of ${limit} bytes`),
  unsupportedMediaType: () =>
    new HttpError(415, 'UnsupportedMediaType', 'Bodies must be JSON (Content-Type: application/json)'),
  rateLimited: (retryAfterSeconds: number) =>
    new HttpError(429, 'RateLimited', `Too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds }),
  tooManyLoginFailures: (retryAfterSeconds: number) =>
    new HttpError(429, 'TooManyLoginFailures', `Too many failed logins; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    }),
  unavailable: (message: string, retryAfterSeconds?: number) =>
    new HttpError(503, 'ServiceUnavailable', message, { retryAfterSeconds }),
} as const;

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: readonly ErrorDetail[];
  requestId?: string;
}
