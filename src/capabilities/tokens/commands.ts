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
    // Genesis is decided in CreateUser: this re-drive only reads the user's own decision.
    conflictKeys: (payload) => [`user:${payload.fabricUserId}`],
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
    // The fee accrues in the sender's own fee shard: a transfer writes keys of its two parties only.
    conflictKeys: (payload) => [`user:${payload.fromFabricUserId}`, `user:${payload.toFabricUserId}`],
  }),
} as const;
