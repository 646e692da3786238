/**
 * The trust service's routes: relationships (202 + outbox; the rules are in rules.ts) and the caller's
 * relationships and trust score (read models). A caller sees only relationships it is a party to.
 */
import {
  fabricUserIdSchema,
  relationshipIdPattern,
  relationshipStatuses,
  relationshipTypeSchema,
  relationshipTypes,
} from '@gx/chaincode';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { httpErrors } from '../../http/errors.js';
import { commandAcceptedSchema, errorResponses, idempotencyHeader, pageQuery } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import type { CapabilityContext } from '../index.js';
import { findTrustScore, listRelationshipsOf } from './relationships.js';
import {
  actOnRelationship,
  fabricUserIdOf,
  type RelationshipAction,
  RelationshipRefusedError,
  requestRelationship,
} from './rules.js';

const relationshipSchema = z.object({
  relationshipId: z.string(),
  type: z.enum(relationshipTypes),
  fromFabricUserId: z.string(),
  toFabricUserId: z.string(),
  direction: z.enum(['OUTGOING', 'INCOMING']),
  status: z.enum(relationshipStatuses),
  requestedAt: z.date(),
  changedAt: z.date(),
  endedBy: z.string().nullable(),
});

const relationshipIdParams = z.strictObject({
  id: z.string().regex(relationshipIdPattern, 'must be a relationship id (32 hex characters)'),
});

/** Maps the rules' refusals to HTTP errors. */
function refusalToHttp(error: unknown): never {
  if (!(error instanceof RelationshipRefusedError)) throw error;
  switch (error.refusal) {
    case 'UNKNOWN_CALLER':
      throw httpErrors.unauthorized(error.message);
    case 'CALLER_LOCKED':
      throw httpErrors.accountLocked();
    case 'CALLER_NOT_ON_LEDGER':
    case 'NOT_THE_OTHER_PARTY':
      throw httpErrors.forbidden(error.message);
    case 'WITH_SELF':
    case 'UNKNOWN_OTHER':
      throw httpErrors.invalidInput([{ field: 'toFabricUserId', message: error.message }]);
    case 'DUPLICATE':
    case 'WRONG_STATUS':
      throw httpErrors.conflict(error.message);
    case 'NOT_FOUND':
      throw httpErrors.notFound('Relationship');
  }
}

export async function trustRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool, outbox } = options;

  app.post(
    '/api/v1/relationships',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['trust'],
        summary: 'Enqueue REQUEST_RELATIONSHIP: ask another user to confirm a relationship (docs/trust.md)',
        headers: idempotencyHeader,
        body: z.strictObject({ toFabricUserId: fabricUserIdSchema, type: relationshipTypeSchema }),
        response: {
          202: commandAcceptedSchema.extend({ relationshipId: z.string() }),
          ...errorResponses(400, 401, 403, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const command = await requestRelationship(pool, outbox, request.user.sub, request.body).catch(refusalToHttp);
      return reply
        .code(202)
        .send({ commandId: command.commandId, status: 'PENDING' as const, relationshipId: command.relationshipId });
    },
  );

  for (const action of ['confirm', 'reject', 'end'] as const satisfies readonly RelationshipAction[]) {
    app.post(
      `/api/v1/relationships/:id/${action}`,
      {
        config: { auth: 'user', idempotent: true },
        schema: {
          tags: ['trust'],
          summary:
            action === 'end'
              ? 'Enqueue END_RELATIONSHIP (either party, pending or confirmed)'
              : `Enqueue ${action.toUpperCase()}_RELATIONSHIP (the other party, a pending request)`,
          headers: idempotencyHeader,
          params: relationshipIdParams,
          response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const command = await actOnRelationship(pool, outbox, request.user.sub, request.params.id, action).catch(
          refusalToHttp,
        );
        return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const });
      },
    );
  }

  app.get(
    '/api/v1/relationships',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['trust'],
        summary: "The caller's relationships (requested by or of it), newest first",
        querystring: z.strictObject(pageQuery),
        response: {
          200: z.object({ items: z.array(relationshipSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const fabricUserId = await fabricUserIdOf(pool, request.user.sub);
      if (!fabricUserId) return { items: [], nextCursor: null };
      return listRelationshipsOf(pool, fabricUserId, request.query);
    },
  );

  app.get(
    '/api/v1/users/me/trust',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['trust'],
        summary: "The caller's trust score as the ledger computed it; 404 before on-chain registration",
        response: {
          200: z.object({
            score: z.number().int(),
            breakdown: z.object({
              base: z.number().int(),
              family: z.number().int(),
              business: z.number().int(),
              friends: z.number().int(),
            }),
          }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => {
      const fabricUserId = await fabricUserIdOf(pool, request.user.sub);
      if (!fabricUserId) throw httpErrors.notFound('Trust score');
      return findTrustScore(pool, fabricUserId);
    },
  );
}
