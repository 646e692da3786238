/**
 * The tokens service's tokenomics v2 reads (docs/api.md, "Tokens and system"): supply and countries for
 * anyone, the exact fee of a transfer for a user. They parse, authorize and call tokenomics.ts.
 */
import {
  errorCodeOf,
  fabricUserIdSchema,
  poolNames,
  positiveAmountSchema,
  transferScopes,
  transferTypes,
} from '@gx/chaincode';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { httpErrors } from '../../http/errors.js';
import { errorResponses, pageQuery } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import type { CapabilityContext } from '../index.js';
import type { SenderCache } from './sender-cache.js';
import {
  findCountry,
  listCountries,
  NotBootstrappedError,
  quote,
  readFeeSchedule,
  readSupply,
  type Supply,
  walletExists,
} from './tokenomics.js';

/** How long a supply answer is reused: it is public and unauthenticated, so one query serves every caller. */
export const SUPPLY_CACHE_MS = 30_000;

const amount = z.string();
const supplySchema = z.object({
  maxSupply: amount,
  minted: amount,
  circulating: amount,
  pools: z.array(z.object({ pool: z.enum(poolNames), id: z.string(), cap: amount, minted: amount, balance: amount })),
});
const countrySchema = z.object({
  code: z.string(),
  sharePpb: z.number().int(),
  populationShare: z.number(),
  currentPhase: z.number().int().nullable(),
  slotsLeft: z.number().int(),
  phases: z.array(z.object({ phase: z.number().int(), slots: z.number().int(), used: z.number().int() })),
  treasury: z.object({ id: z.string(), status: z.enum(['LOCKED', 'ACTIVE']), balance: amount }),
});
const quoteSchema = z.object({
  type: z.enum(transferTypes),
  scope: z.enum(transferScopes),
  feeBps: z.number().int(),
  fee: amount,
  total: amount,
});

function notBootstrapped(error: unknown): never {
  if (error instanceof NotBootstrappedError) throw httpErrors.conflict(error.message, 'NotBootstrapped');
  throw error;
}

export async function tokenomicsRoutes(
  root: FastifyInstance,
  options: CapabilityContext,
  senders: SenderCache,
): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool } = options;
  let cachedSupply: { supply: Supply; atMs: number } | undefined;

  app.get(
    '/api/v1/supply',
    {
      schema: {
        tags: ['tokens'],
        summary: `Maximum supply, minted, circulating and every pool (public; up to ${SUPPLY_CACHE_MS / 1000} s old)`,
        response: { 200: supplySchema, ...errorResponses(409) },
      },
    },
    async () => {
      if (cachedSupply && Date.now() - cachedSupply.atMs < SUPPLY_CACHE_MS) return cachedSupply.supply;
      const supply = await readSupply(pool).catch(notBootstrapped);
      cachedSupply = { supply, atMs: Date.now() };
      return supply;
    },
  );

  app.get(
    '/api/v1/countries',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Countries by code: share, current genesis phase, slots left, treasury (public)',
        querystring: z.strictObject(pageQuery),
        response: {
          200: z.object({ items: z.array(countrySchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => listCountries(pool, request.query),
  );

  app.get(
    '/api/v1/countries/:code',
    {
      schema: {
        tags: ['tokens'],
        summary: 'One country: share, current genesis phase, slots left, treasury (public)',
        params: z.strictObject({ code: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code') }),
        response: { 200: countrySchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const country = await findCountry(pool, request.params.code);
      if (!country) throw httpErrors.notFound('Country');
      return country;
    },
  );

  app.get(
    '/api/v1/fees/quote',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['tokens'],
        summary: "The exact fee the ledger charges for the caller's transfer (the chaincode's own fee code)",
        querystring: z.strictObject({ toFabricUserId: fabricUserIdSchema, amount: positiveAmountSchema }),
        response: { 200: quoteSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const sender = await senders.get(request.user.sub);
      if (!sender?.fabricUserId || sender.onchainStatus !== 'REGISTERED') {
        throw httpErrors.forbidden('A quote needs an account registered on the ledger');
      }
      const { toFabricUserId, amount: value } = request.query;
      if (toFabricUserId === sender.fabricUserId) {
        throw httpErrors.invalidInput([{ field: 'toFabricUserId', message: 'must differ from your own account' }]);
      }
      const [schedule, known] = await Promise.all([
        readFeeSchedule(pool).catch(notBootstrapped),
        walletExists(pool, toFabricUserId),
      ]);
      if (!known) throw httpErrors.notFound('Recipient');
      try {
        return quote(schedule, sender.fabricUserId, toFabricUserId, value);
      } catch (error) {
        // A party no transfer type covers (a system pool): the ledger refuses it the same way.
        if (error instanceof Error && errorCodeOf(error.message) === 'GX_INVALID_ARGUMENT') {
          throw httpErrors.invalidInput([{ field: 'toFabricUserId', message: error.message }]);
        }
        throw error;
      }
    },
  );
}
