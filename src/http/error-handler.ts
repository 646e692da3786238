/**
 * The one root error handler: every error becomes `{error, message, details?}` with its status. Errors of
 * the registry pass through; framework errors (bad JSON, body too large, wrong media type, rate limit) are
 * mapped; domain errors of the services are mapped; anything else is a 500 whose message is hidden.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CommandValidationError } from '../commands/catalogue.js';
import { QueueDeadlineError } from '../concurrency-limit.js';
import { InvalidCursorError } from '../db/cursor.js';
import { type ErrorBody, HttpError, httpErrors } from './errors.js';

/** Connection-level failures of PostgreSQL (and of the socket to it): the dependency is down, not a bug. */
const DATABASE_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08006',
  '08001',
]);

function translate(error: FastifyError | Error, bodyLimit: number): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof CommandValidationError) {
    return httpErrors.invalidInput(error.issues.map((issue) => ({ field: issue.field, message: issue.message })));
  }
  // A bounded resource (password hashing) is saturated: come back shortly, rather than wait behind the flood.
  if (error instanceof QueueDeadlineError) return httpErrors.unavailable(error.message, error.retryAfterSeconds);
  if (error instanceof InvalidCursorError)
    return httpErrors.invalidInput([{ field: 'cursor', message: error.message }]);
  const { code, statusCode } = error as FastifyError;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpErrors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpErrors.unsupportedMediaType();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return httpErrors.malformedJson(error.message);
  }
  if (typeof code === 'string' && DATABASE_DOWN.has(code))
    return httpErrors.unavailable('The database is unavailable', 5);
  if (error.message.includes('timeout exceeded when trying to connect')) {
    return httpErrors.unavailable('The database is overloaded or unavailable', 1);
  }
  if (statusCode === 429) return httpErrors.rateLimited(1);
  // Other client errors raised by the framework or a plugin keep their status and message.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new HttpError(statusCode, code ?? 'BadRequest', error.message);
  }
  return undefined;
}

/**
 * Reads and discards what is left of a request body, up to `limitBytes` (or 5 s), before an error answer is
 * sent. Fastify closes the connection after refusing a body too large; closing a socket with unread data makes
 * the kernel send a reset, and a client still writing sees EPIPE/ECONNRESET instead of the 413. Past the bound
 * the socket is closed anyway: an attacker must not keep it by sending forever.
 */
function drainBody(request: FastifyRequest, limitBytes: number): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed || limitBytes <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    let received = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', finish);
      raw.off('error', finish);
      raw.off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) finish();
    };
    const timer = setTimeout(finish, 5000);
    raw.on('data', onData);
    raw.once('end', finish);
    raw.once('error', finish);
    raw.once('close', finish);
    raw.resume();
  });
}

/** Builds the handler for `setErrorHandler`. */
export function rootErrorHandler(bodyLimit: number, drainLimitBytes = 8 * 1024 * 1024) {
  return async (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const known = translate(error, bodyLimit);
    if (known?.code === 'PayloadTooLarge') await drainBody(request, drainLimitBytes);
    if (!known) {
      request.log.error({ err: error }, 'request failed');
      const body: ErrorBody = { error: 'InternalError', message: 'Something went wrong', requestId: request.id };
      return reply.code(500).send(body);
    }
    if (known.statusCode >= 500) request.log.warn({ err: error }, 'dependency failure');
    if (known.retryAfterSeconds !== undefined && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', String(known.retryAfterSeconds));
    }
    const body: ErrorBody = {
      error: known.code,
      message: known.message,
      ...(known.details ? { details: known.details } : {}),
      requestId: request.id,
    };
    return reply.code(known.statusCode).send(body);
  };
}
