/**
 * The tokens service's routes: the caller's wallet and history (read models) and transfers (202 + outbox);
 * they parse, authorize and call (the transfer rule is in transfers.ts).
 */
import {
  fabricUserIdSchema,
  freezeReasons,
  memoSchema,
  positiveAmountSchema,
  transferScopes,
  transferTypes,
} from '@gx/chaincode';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createBatchLoader } from '../../db/batch-loader.js';
import { httpErrors } from '../../http/errors.js';
import { commandAcceptedSchema, errorResponses, idempotencyHeader, pageQuery } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import { findProfiles } from '../identity/index.js';
import type { CapabilityContext } from '../index.js';
import { createSenderCache } from './sender-cache.js';
import { tokenomicsRoutes } from './tokenomics-routes.js';
import { requestTransfer, TransferRefusedError } from './transfers.js';
import { findWalletOfProfile, listTransactions } from './wallets.js';

const transferBody = z.strictObject({
  toFabricUserId: fabricUserIdSchema,
  amount: positiveAmountSchema,
  memo: memoSchema.optional(),
});

export const transaction = z.object({
  txId: z.string(),
  type: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  amount: z.string(),
  memo: z.string().nullable(),
  blockNumber: z.number().int(),
  timestamp: z.date(),
  // Transfers from tokenomics v2 on (null otherwise): the sender's fee on top of the amount, its rate, and the
  // transfer's type and scope. `type` is the v1 direction (TRANSFER_OUT, …), so the transfer type is `transferType`.
  fee: z.string().nullable(),
  feeBps: z.number().int().nullable(),
  transferType: z.enum(transferTypes).nullable(),
  scope: z.enum(transferScopes).nullable(),
});

/** Maps the transfer rule's refusals to HTTP errors. */
function refusalToHttp(error: unknown): never {
  if (!(error instanceof TransferRefusedError)) throw error;
  switch (error.refusal) {
    case 'UNKNOWN_SENDER':
      throw httpErrors.unauthorized('The account no longer exists');
    case 'SENDER_LOCKED':
      throw httpErrors.accountLocked();
    case 'SENDER_NOT_APPROVED':
      throw httpErrors.forbidden('Transfers need an approved account');
    case 'SENDER_NOT_ON_LEDGER':
      throw httpErrors.forbidden('Transfers need an account registered on the ledger');
    case 'TO_SELF':
      throw httpErrors.invalidInput([{ field: 'toFabricUserId', message: 'must differ from your own account' }]);
  }
}

export async function tokenRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool, outbox } = options;
  // Profile reads, coalesced under load.
  const profiles = createBatchLoader((ids: string[]) => findProfiles(pool, ids));
  const senders = createSenderCache((id) => profiles.load(id), { ttlMs: options.senderCacheTtlMs });
  await tokenomicsRoutes(root, options, senders);

  app.get(
    '/api/v1/wallets/me',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['tokens'],
        summary: "The caller's wallet; 404 before on-chain registration",
        response: {
          200: z.object({
            fabricUserId: z.string(),
            balance: z.string(),
            updatedAt: z.date(),
            frozen: z.boolean(),
            freezeReason: z.enum(freezeReasons).nullable(),
          }),
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
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['tokens'],
        summary: 'Enqueue TRANSFER_TOKENS; insufficient funds ends the command FAILED, never a negative balance',
        headers: idempotencyHeader,
        body: transferBody,
        response: { 202: commandAcceptedSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const command = await requestTransfer(outbox, senders, request.user.sub, request.body).catch(refusalToHttp);
      return reply.code(202).send({ commandId: command.commandId, status: 'PENDING' as const });
    },
  );

  app.get(
    '/api/v1/transactions',
    {
      config: { auth: 'user' },
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
      const profile = await profiles.load(request.user.sub);
      if (!profile?.fabricUserId) return { items: [], nextCursor: null };
      return listTransactions(pool, profile.fabricUserId, request.query);
    },
  );
}
