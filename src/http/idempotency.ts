/**
 * `Idempotency-Key` for writes: the first successful answer to (caller, key) is stored and replayed for a
 * repeat of the same request; the same key with a different request answers 409.
 *
 * The key is claimed (an in-progress row) before the handler runs, in one statement, so two concurrent
 * requests with one key cannot both act: the second gets 409 until the first has answered. A failed answer
 * (4xx/5xx) releases the key, so the client can correct the request and retry with it.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@gx/chaincode';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { HttpError, httpErrors } from './errors.js';

const HEADER = 'idempotency-key';
/** The name the wallet clients of the deployment this project replaces send; accepted alike. */
const LEGACY_HEADER = 'x-idempotency-key';
const IN_PROGRESS = 0;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route honours Idempotency-Key. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyClaim?: { principal: string; key: string };
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
}

export interface IdempotencyHooks {
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
}

/** Hooks to add to an authenticated scope; they act only on routes whose config says `idempotent: true`. */
export function idempotencyHooks(pool: pg.Pool, ttlSeconds = 24 * 3600): IdempotencyHooks {
  return {
    async preHandler(request, reply) {
      if (!request.routeOptions.config.idempotent) return undefined;
      const given = [request.headers[HEADER], request.headers[LEGACY_HEADER]]
        .flat()
        .filter((value): value is string => value !== undefined);
      if (given.length === 0) return undefined;
      // Two different keys in one request: which one the client meant is unknowable.
      if (new Set(given).size > 1) {
        throw httpErrors.invalidInput([
          { field: 'Idempotency-Key', message: 'Idempotency-Key and X-Idempotency-Key differ; send one key' },
        ]);
      }
      const key = given[0];
      if (key === undefined || !KEY_PATTERN.test(key)) {
        throw httpErrors.invalidInput([
          { field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
        ]);
      }
      const principal = request.user.sub;
      const hash = requestHash(request);
      const claimed = await pool.query(
        `INSERT INTO idempotency_key (principal, key, request_hash, response_status, response_body, expires_at)
         VALUES ($1, $2, $3, ${IN_PROGRESS}, 'null', now() + make_interval(secs => $4))
         ON CONFLICT (principal, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, response_status = ${IN_PROGRESS}, response_body = 'null',
               created_at = now(), expires_at = EXCLUDED.expires_at
           WHERE idempotency_key.expires_at < now()
         RETURNING 1`,
        [principal, key, hash, ttlSeconds],
      );
      if ((claimed.rowCount ?? 0) > 0) {
        request.idempotencyClaim = { principal, key };
        return undefined;
      }
      const existing = await pool.query<{ request_hash: string; response_status: number; response_body: unknown }>(
        'SELECT request_hash, response_status, response_body FROM idempotency_key WHERE principal = $1 AND key = $2',
        [principal, key],
      );
      const row = existing.rows[0];
      if (!row)
        throw httpErrors.conflict('The idempotency key was released meanwhile; retry', 'IdempotencyKeyConflict');
      if (row.request_hash !== hash) {
        throw httpErrors.conflict('This Idempotency-Key was used for a different request', 'IdempotencyKeyReused');
      }
      if (row.response_status === IN_PROGRESS) {
        throw new HttpError(
          409,
          'IdempotencyKeyInProgress',
          'A request with this Idempotency-Key is still in progress',
        );
      }
      return reply.code(row.response_status).header('idempotent-replayed', 'true').send(row.response_body);
    },
    async onSend(request, reply, payload) {
      const claim = request.idempotencyClaim;
      if (!claim) return payload;
      request.idempotencyClaim = undefined;
      if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
        await pool.query(
          'UPDATE idempotency_key SET response_status = $3, response_body = $4::jsonb WHERE principal = $1 AND key = $2',
          [claim.principal, claim.key, reply.statusCode, payload === '' ? 'null' : payload],
        );
      } else {
        await pool.query('DELETE FROM idempotency_key WHERE principal = $1 AND key = $2', [claim.principal, claim.key]);
      }
      return payload;
    },
  };
}
