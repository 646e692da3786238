/** The tokens slice's commands: supply, movement and wallet controls (TokenomicsContract). */
import { fabricUserIdSchema, freezeReasons, memoSchema, positiveAmountSchema } from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';

/** Freeze and unfreeze write the user's record, which every movement of that user reads and writes. */
const freezeChange = (fn: 'FreezeWallet' | 'UnfreezeWallet') =>
  defineCommand({
    payload: z
      .object({
        fabricUserId: fabricUserIdSchema,
        reason: z.enum(freezeReasons),
        notes: z.string().max(2000).default(''),
      })
      .strict(),
    contract: 'TokenomicsContract',
    fn,
    args: (requestId, payload) => [requestId, payload.fabricUserId, payload.reason, payload.notes],
    signer: 'admin',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`user:${payload.fabricUserId}`],
  });

export const tokenCommands = {
  /** Writes `gx/country/<CC>`, which that country's registrations read: they share the key. */
  ACTIVATE_TREASURY: defineCommand({
    payload: z.object({ countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code') }).strict(),
    contract: 'TokenomicsContract',
    fn: 'ActivateTreasury',
    args: (requestId, payload) => [requestId, payload.countryCode],
    signer: 'admin',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`country:${payload.countryCode}`],
  }),
  FREEZE_WALLET: freezeChange('FreezeWallet'),
  UNFREEZE_WALLET: freezeChange('UnfreezeWallet'),
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
