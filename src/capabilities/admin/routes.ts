/**
 * The admin service: bootstrap, registration review, account locks, genesis, dead letters, system status.
 * Every action is written to audit_log with the acting admin and the request id.
 */
import { countryEntrySchema, freezeReasons, type SystemParams, systemParamsSchema } from '@gx/chaincode';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditedRead } from '../../db/audit.js';
import { schemaStatus } from '../../db/migrator.js';
import { httpErrors } from '../../http/errors.js';
import {
  commandAcceptedSchema,
  commandIdParams,
  commandSchema,
  errorResponses,
  idempotencyHeader,
  pageQuery,
  profileIdParams,
  profileSchema,
} from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import { ledgerHealth, projectorStatus } from '../../observability/health.js';
import { outboxStatus } from '../../outbox/backlog.js';
import { discardCommand, retryCommand } from '../../outbox/dead-letters.js';
import { findCommand, listCommands } from '../../outbox/status.js';
import { accountStatuses, listProfiles, TransitionRefusedError } from '../identity/index.js';
import type { CapabilityContext } from '../index.js';
import { changeAccount, retryOnchainRegistration } from './account-actions.js';
import {
  AlreadyBootstrappedError,
  actorOf,
  approveRegistration,
  auditCommandAction,
  bootstrapSystem,
  denyRegistration,
  distributeGenesis,
  ProfileNotFoundError,
  ProfileStateError,
  setAccountLock,
  setWalletFreeze,
} from './actions.js';
import { approvalRoutes } from './approval-routes.js';
import { isAssignedCountryCode } from './country-populations.js';
import { DEFAULT_SYSTEM_PARAMS } from './default-system-params.js';

/** Maps the admin services' domain errors to HTTP errors. */
function mapDomainError(error: unknown): never {
  if (error instanceof ProfileNotFoundError) throw httpErrors.notFound('Profile');
  if (error instanceof ProfileStateError) throw httpErrors.conflict(error.message, 'InvalidProfileState');
  if (error instanceof TransitionRefusedError) throw httpErrors.conflict(error.message, 'InvalidProfileState');
  if (error instanceof AlreadyBootstrappedError) throw httpErrors.conflict(error.message, 'AlreadyBootstrapped');
  throw error;
}

const accepted = (commandId: string) => ({ commandId, status: 'PENDING' as const });

/**
 * A bootstrap takes whole parameters, or only a country table for the default parameters (an operator's own
 * population figures), or nothing. Either way the result is checked with the chaincode's own schema, so a bad
 * table is a 400 naming the field (`countries.3.code`, or `countries` for shares not summing to 1).
 */
const bootstrapBody = z
  .strictObject({
    params: systemParamsSchema.optional(),
    countries: z.array(countryEntrySchema).min(1).max(300).optional(),
  })
  .nullish()
  .superRefine((body, ctx) => {
    const table = body?.params?.countries ?? body?.countries ?? [];
    for (const [index, country] of table.entries()) {
      if (!isAssignedCountryCode(country.code)) {
        const path = [...(body?.params ? ['params'] : []), 'countries', index, 'code'];
        ctx.addIssue({ code: 'custom', path, message: `${country.code} is not an assigned ISO 3166-1 alpha-2 code` });
      }
    }
    if (body?.countries === undefined) return;
    if (body.params !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['countries'],
        message: 'give countries inside params, or params not at all',
      });
      return;
    }
    const checked = systemParamsSchema.safeParse({ ...DEFAULT_SYSTEM_PARAMS, countries: body.countries });
    for (const issue of checked.error?.issues ?? []) ctx.addIssue({ ...issue, code: 'custom', path: issue.path });
  });

function bootstrapParams(body: z.infer<typeof bootstrapBody>): SystemParams {
  if (body?.params) return body.params;
  const params = structuredClone(DEFAULT_SYSTEM_PARAMS);
  return body?.countries ? { ...params, countries: body.countries } : params;
}

export async function adminRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool } = options;
  // Admin views are read by auditors too; actions need an admin (a super admin holds every admin right).
  const read = { config: { auth: 'auditor' } } as const;
  const admin = { config: { auth: 'admin' } } as const;
  const write = { config: { auth: 'admin', idempotent: true } } as const;
  await approvalRoutes(root, options);

  app.post(
    '/api/v1/bootstrap',
    {
      ...write,
      schema: {
        tags: ['admin'],
        summary:
          'Enqueue BOOTSTRAP_SYSTEM with the given parameters, or the defaults with the given country table; a second bootstrap is refused',
        headers: idempotencyHeader,
        body: bootstrapBody,
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { commandId } = await bootstrapSystem(pool, actorOf(request), bootstrapParams(request.body)).catch(
        mapDomainError,
      );
      return reply.code(202).send(accepted(commandId));
    },
  );

  app.get(
    '/api/v1/admin/users',
    {
      ...read,
      schema: {
        tags: ['admin'],
        summary: 'Profiles, oldest first, by v1 status and/or v2 accountStatus',
        querystring: z.strictObject({
          status: z.enum(['REGISTERED', 'APPROVED', 'DENIED']).optional(),
          accountStatus: z.enum(accountStatuses).optional(),
          ...pageQuery,
        }),
        response: {
          200: z.object({ items: z.array(profileSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    // Personal data of many users: the read and its audit entry (the ids served) commit together (issue 29).
    async (request) =>
      auditedRead(
        pool,
        (db) => listProfiles(db, request.query),
        (page) => ({
          actorId: request.user.sub,
          actorRole: request.user.role,
          action: 'users.list',
          targetType: 'user_profile',
          requestId: request.id,
          details: { profileIds: page.items.map((profile) => profile.profileId) },
        }),
      ),
  );

  app.post(
    '/api/v1/admin/users/:profileId/approve',
    {
      ...write,
      schema: {
        tags: ['admin'],
        summary:
          'Approve a registration: generates the Fabric user id and enqueues CREATE_USER; the profile must be ' +
          'KYC_APPROVED (409 naming its status otherwise) unless GX_KYC_REQUIRED is off',
        headers: idempotencyHeader,
        params: profileIdParams,
        body: z.strictObject({ accountType: z.number().int().min(0).max(15).optional() }).nullish(),
        response: {
          202: commandAcceptedSchema.extend({ fabricUserId: z.string(), user: profileSchema }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await approveRegistration(
        pool,
        actorOf(request),
        request.params.profileId,
        // An individual unless said otherwise: the account type that receives genesis (domain.md).
        request.body?.accountType ?? 0,
        options.kycRequired,
      ).catch(mapDomainError);
      return reply
        .code(202)
        .send({ ...accepted(result.commandId), fabricUserId: result.fabricUserId, user: result.profile });
    },
  );

  app.post(
    '/api/v1/admin/users/:profileId/deny',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Deny a registration',
        params: profileIdParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
        response: { 200: profileSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      denyRegistration(pool, actorOf(request), request.params.profileId, request.body.reason).catch(mapDomainError),
  );

  const lockAnswer = profileSchema.extend({ commandId: z.uuid().nullable() });
  app.post(
    '/api/v1/admin/users/:profileId/lock',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Lock an account (login and transfers refused; UPDATE_USER_STATUS enqueued for on-chain users)',
        params: profileIdParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(500), notes: z.string().max(2000).optional() }),
        response: { 200: lockAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const result = await setAccountLock(pool, actorOf(request), request.params.profileId, {
        locked: true,
        reason: request.body.reason,
        notes: request.body.notes,
      }).catch(mapDomainError);
      // The locked account's access tokens stop working at once on this replica (elsewhere within the cache TTL).
      root.forgetAccountState(request.params.profileId);
      return { ...result.profile, commandId: result.commandId };
    },
  );

  app.post(
    '/api/v1/admin/users/:profileId/unlock',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Unlock an account',
        params: profileIdParams,
        body: z.strictObject({ reason: z.string().max(500).optional() }).nullish(),
        response: { 200: lockAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const result = await setAccountLock(pool, actorOf(request), request.params.profileId, { locked: false }).catch(
        mapDomainError,
      );
      return { ...result.profile, commandId: result.commandId };
    },
  );

  for (const action of ['freeze', 'unfreeze'] as const) {
    app.post(
      `/api/v1/admin/users/:profileId/${action}`,
      {
        ...write,
        schema: {
          tags: ['admin'],
          summary:
            action === 'freeze'
              ? 'Enqueue FREEZE_WALLET: the ledger refuses every movement to or from the wallet'
              : 'Enqueue UNFREEZE_WALLET',
          headers: idempotencyHeader,
          params: profileIdParams,
          body: z.strictObject({ reason: z.enum(freezeReasons), notes: z.string().max(2000).optional() }),
          response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { commandId } = await setWalletFreeze(pool, actorOf(request), request.params.profileId, {
          frozen: action === 'freeze',
          ...request.body,
        }).catch(mapDomainError);
        return reply.code(202).send(accepted(commandId));
      },
    );
  }

  for (const action of ['suspend', 'reinstate', 'close'] as const) {
    app.post(
      `/api/v1/admin/users/:profileId/${action}`,
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: {
            suspend: 'Suspend an account: login refused, every session revoked (409 naming the status if not allowed)',
            reinstate: 'Reinstate a suspended account: back to the status it had before the suspension',
            close: 'Close an account for good: the data is kept, login is impossible',
          }[action],
          params: profileIdParams,
          body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).nullish(),
          response: { 200: profileSchema, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const profile = await changeAccount(
          pool,
          actorOf(request),
          request.params.profileId,
          action,
          request.body?.reason ?? null,
        ).catch(mapDomainError);
        // The account's access tokens stop working at once on this replica (elsewhere within the cache TTL).
        root.forgetAccountState(request.params.profileId);
        return profile;
      },
    );
  }

  app.post(
    '/api/v1/admin/users/:profileId/retry-onchain',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: "Re-drive an ONCHAIN_FAILED profile's CREATE_USER (the same command: it registers at most once)",
        params: profileIdParams,
        body: z.strictObject({}).nullish(),
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { commandId } = await retryOnchainRegistration(pool, actorOf(request), request.params.profileId).catch(
        mapDomainError,
      );
      return reply.code(202).send(accepted(commandId));
    },
  );

  app.post(
    '/api/v1/admin/users/:profileId/genesis',
    {
      ...write,
      schema: {
        tags: ['admin'],
        summary: 'Enqueue DISTRIBUTE_GENESIS for a user registered on the ledger',
        headers: idempotencyHeader,
        params: profileIdParams,
        body: z.strictObject({}).nullish(),
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { commandId } = await distributeGenesis(pool, actorOf(request), request.params.profileId).catch(
        mapDomainError,
      );
      return reply.code(202).send(accepted(commandId));
    },
  );

  app.get(
    '/api/v1/admin/commands',
    {
      ...read,
      schema: {
        tags: ['admin'],
        summary: 'Commands, newest first, by status (FAILED lists dead letters and retrying failures)',
        querystring: z.strictObject({
          status: z.enum(['PENDING', 'SUBMITTED', 'COMMITTED', 'FAILED']).optional(),
          ...pageQuery,
        }),
        response: {
          200: z.object({ items: z.array(commandSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => listCommands(pool, request.query),
  );

  for (const action of ['retry', 'discard'] as const) {
    app.post(
      `/api/v1/admin/commands/:commandId/${action}`,
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: action === 'retry' ? 'Queue a FAILED command again' : 'Give up on a FAILED command for good',
          params: commandIdParams,
          body: z.strictObject({}).nullish(),
          response: { 200: commandSchema, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const { commandId } = request.params;
        // The submitter owns these state changes (retry resubmits a stored transaction, never a new one).
        const outcome =
          action === 'retry'
            ? await retryCommand(pool, commandId, request.user.sub)
            : await discardCommand(pool, commandId, request.user.sub);
        if (!outcome.ok) {
          if (outcome.reason === 'NOT_FOUND') throw httpErrors.notFound('Command');
          throw httpErrors.conflict(
            `Only a FAILED command can be ${action === 'retry' ? 'retried' : 'discarded'}`,
            'InvalidCommandState',
          );
        }
        await auditCommandAction(pool, actorOf(request), `command.${action}`, commandId);
        const view = await findCommand(pool, commandId);
        if (!view) throw httpErrors.notFound('Command');
        return view;
      },
    );
  }

  app.get(
    '/api/v1/admin/system',
    {
      ...read,
      schema: {
        tags: ['admin'],
        summary: 'Ledger reachability and endorsability, outbox backlog, projection lag, schema level',
        response: {
          200: z.object({
            ledger: z.object({
              reachable: z.boolean(),
              // A peer can answer while no write can be endorsed (another organization's peer down).
              endorsable: z.boolean(),
              latencyMs: z.number().nullable(),
              error: z.string().optional(),
            }),
            outbox: z.object({ pending: z.number(), failed: z.number(), oldestPendingAgeMs: z.number().nullable() }),
            projector: z.object({
              lastBlock: z.number().nullable(),
              lagBlocks: z.number().nullable(),
              lagMs: z.number().nullable(),
            }),
            database: z.object({ migration: z.number(), current: z.boolean() }),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => {
      const [ledger, outbox, projector, schema] = await Promise.all([
        ledgerHealth(options.ledger),
        outboxStatus(pool),
        projectorStatus(pool),
        schemaStatus(pool),
      ]);
      return {
        ledger,
        outbox,
        projector,
        database: {
          migration: schema.currentVersion,
          current: schema.missing.length === 0 && schema.unknown.length === 0 && schema.altered.length === 0,
        },
      };
    },
  );
}
