/** The four-eyes routes of the admin service (approvals.ts): request, list, approve, reject. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { httpErrors } from '../../http/errors.js';
import { commandAcceptedSchema, errorResponses, idempotencyHeader, pageQuery } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import type { CapabilityContext } from '../index.js';
import { actorOf } from './actions.js';
import {
  ApprovalError,
  approvalActions,
  approvalRequestSchema,
  approvalStatuses,
  approveRequest,
  listApprovals,
  rejectRequest,
  requestApproval,
} from './approvals.js';

const approvalSchema = z.object({
  approvalId: z.uuid(),
  action: z.enum(approvalActions),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(approvalStatuses),
  requestedBy: z.uuid(),
  createdAt: z.date(),
  expiresAt: z.date(),
  decidedBy: z.uuid().nullable(),
  decidedAt: z.date().nullable(),
  decisionReason: z.string().nullable(),
  commandId: z.uuid().nullable(),
});
const approvalIdParams = z.strictObject({ approvalId: z.uuid() });

function mapApprovalError(error: unknown): never {
  if (error instanceof ApprovalError) {
    if (error.kind === 'forbidden') throw httpErrors.forbidden(error.message);
    if (error.kind === 'not-found')
      throw httpErrors.notFound(error.message === 'profile' ? 'Profile' : 'Approval request');
    throw httpErrors.conflict(error.message, 'InvalidApprovalState');
  }
  throw error;
}

export async function approvalRoutes(app: FastifyInstance, options: CapabilityContext): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { pool } = options;

  routes.post(
    '/api/v1/admin/approvals',
    {
      config: { auth: 'admin', idempotent: true },
      schema: {
        tags: ['admin'],
        summary: 'Request a four-eyes action; a super admin other than the requester decides it',
        headers: idempotencyHeader,
        body: approvalRequestSchema,
        response: { 201: approvalSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const approval = await requestApproval(pool, actorOf(request), request.body, options.approvalTtlSeconds).catch(
        mapApprovalError,
      );
      return reply.code(201).send(approval);
    },
  );

  routes.get(
    '/api/v1/admin/approvals',
    {
      config: { auth: 'auditor' },
      schema: {
        tags: ['admin'],
        summary: 'Four-eyes requests, newest first, by status (EXPIRED: pending past their expiry)',
        querystring: z.strictObject({ status: z.enum(approvalStatuses).optional(), ...pageQuery }),
        response: {
          200: z.object({ items: z.array(approvalSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => listApprovals(pool, request.query),
  );

  routes.post(
    '/api/v1/admin/approvals/:approvalId/approve',
    {
      config: { auth: 'super_admin', idempotent: true },
      schema: {
        tags: ['admin'],
        summary: 'Approve a request (not your own): its command is enqueued in the same transaction',
        headers: idempotencyHeader,
        params: approvalIdParams,
        body: z.strictObject({}).nullish(),
        response: {
          202: commandAcceptedSchema.extend({ approval: approvalSchema }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { commandId, approval } = await approveRequest(pool, actorOf(request), request.params.approvalId).catch(
        mapApprovalError,
      );
      return reply.code(202).send({ commandId, status: 'PENDING' as const, approval });
    },
  );

  routes.post(
    '/api/v1/admin/approvals/:approvalId/reject',
    {
      config: { auth: 'super_admin' },
      schema: {
        tags: ['admin'],
        summary: 'Reject a request (not your own)',
        params: approvalIdParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).nullish(),
        response: { 200: approvalSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      rejectRequest(pool, actorOf(request), request.params.approvalId, request.body?.reason ?? undefined).catch(
        mapApprovalError,
      ),
  );
}
