/** The tokens slice's commands: supply and movement (TokenomicsContract). */
import { fabricUserIdSchema, memoSchema, positiveAmountSchema } from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';

export const tokenCommands = {
  DISTRIBUTE_GENESIS: defineCommand({
    payload: z.object({ fabricUserId: fabricUserIdSchema }).strict(),
    contract: 'TokenomicsContract',
    fn: 'DistributeGenesis',
    args: (requestId, payload) => [requestId, payload.fabricUserId],
    signer: 'admin',
    enqueuedBy: ['admin'],
    // Every allocation moves the total supply and the tier counter: genesis is serial on any ledger.
    conflictKeys: (payload) => ['supply', `user:${payload.fabricUserId}`],
  }),
  TRANSFER_TOKENS: defineCommand({
    payload: z
      .object({
        fromFabricUserId: fabricUserIdSchema,
        toFabricUserId: fabricUserIdSchema,
        amount: positiveAmountSchema,
        memo: memoSchema.default(''),
      })
      .strict(),
    contract: 'TokenomicsContract',
    fn: 'TransferTokens',
    args: (requestId, payload) => [
      requestId,
      payload.fromFabricUserId,
      payload.toFabricUserId,
      payload.amount,
      payload.memo,
    ],
    signer: 'transfer',
    enqueuedBy: ['tokenomics'],
    // The fee collector's balance is written too when a fee applies; with fees on, that key is the hot spot.
    conflictKeys: (payload) => [`user:${payload.fromFabricUserId}`, `user:${payload.toFabricUserId}`],
  }),
} as const;
