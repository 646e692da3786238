/**
 * The tokens service: the caller's wallet and history (read models) and transfers (202 + outbox).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { fabricUserIdSchema } from '../../commands/catalogue.js';
import type { OutboxBatcher } from '../../outbox/group-commit.js';
import type { BatchLoader } from '../../services/batch-loader.js';
import type { Profile } from '../../services/profiles.js';
import { createSenderCache } from '../../services/sender-cache.js';
import { findWalletOfProfile, listTransactions } from '../../services/wallets.js';
import { httpErrors } from '../errors.js';
import type { IdempotencyHooks } from '../idempotency.js';
import { commandAcceptedSchema, errorResponses, idempotencyHeader, pageQuery } from '../schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface TokenRoutesOptions {
  pool: pg.Pool;
  outbox: OutboxBatcher;
  perUserLimit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  idempotency: IdempotencyHooks;
  /** Profile reads, coalesced under load. */
  profiles: BatchLoader<string, Profile>;
  /** How long a sender's lock/registration state may be reused (ms); 0 = read it for every transfer. */
  senderCacheTtlMs?: number;
}

/** Positive whole smallest units as a decimal string, at most 78 digits (numeric(78,0)). */
const positiveAmount = z
  .string()
  .regex(/^[1-9][0-9]{0,77}$/, 'must be a positive integer string of smallest units, like "1500"');

const transferBody = z.strictObject({
  toFabricUserId: fabricUserIdSchema,
  amount: positiveAmount,
  memo: z.string().max(256).optional(),
});

const transaction = z.object({
  txId: z.string(),
  type: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  amount: z.string(),
  memo: z.string().nullable(),
  blockNumber: z.number().int(),
  timestamp: z.date(),
});

export async function tokenRoutes(root: FastifyInstance, options: TokenRoutesOptions): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool } = options;
  const authed = { onRequest: [app.authenticate], preHandler: [options.perUserLimit] };
  const senders = createSenderCache((id) => options.profiles.load(id), { ttlMs: options.senderCacheTtlMs ?? 1000 });

  app.get(
    '/api/v1/wallets/me',
    {
      ...authed,
      schema: {
        tags: ['tokens'],
        summary: "The caller's wallet; 404 before on-chain registration",
        response: {
          200: z.object({ fabricUserId: z.string(), balance: z.string(), updatedAt: z.date() }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => {
      const wallet = await findWalletOfProfile(pool, request.user.sub);
      if (!wallet) throw httpErrors.notFound('Wallet');
      return wallet;
    },
  );

  app.post(
    '/api/v1/transfers',
    {
      onRequest: [app.authenticate],
      preHandler: [options.perUserLimit, options.idempotency.preHandler],
      onSend: [options.idempotency.onSend],
      config: { idempotent: true },
      schema: {
        tags: ['tokens'],
        summary: 'Enqueue TRANSFER_TOKENS; insufficient funds ends the command FAILED, never a negative balance',
        headers: idempotencyHeader,
        body: transferBody,
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const sender = await senders.get(request.user.sub);
      if (!sender) throw httpErrors.unauthorized('The account no longer exists');
      if (sender.isLocked) throw httpErrors.accountLocked();
      if (!sender.fabricUserId || sender.onchainStatus !== 'REGISTERED') {
        throw httpErrors.forbidden('Transfers need an account registered on the ledger');
      }
      if (sender.fabricUserId === request.body.toFabricUserId) {
        throw httpErrors.invalidInput([{ field: 'toFabricUserId', message: 'must differ from your own account' }]);
      }
      const command = await options.outbox.enqueue({
        commandType: 'TRANSFER_TOKENS',
        payload: {
          fromFabricUserId: sender.fabricUserId,
          toFabricUserId: request.body.toFabricUserId,
          amount: request.body.amount,
          memo: request.body.memo ?? '',
        },
        submittedBy: sender.profileId,
      });
      return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const });
    },
  );

  app.get(
    '/api/v1/transactions',
    {
      ...authed,
      schema: {
        tags: ['tokens'],
        summary: "The caller's transactions, newest first",
        querystring: z.strictObject(pageQuery),
        response: {
          200: z.object({ items: z.array(transaction), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const profile = await options.profiles.load(request.user.sub);
      if (!profile?.fabricUserId) return { items: [], nextCursor: null };
      return listTransactions(pool, profile.fabricUserId, request.query);
    },
  );
}
