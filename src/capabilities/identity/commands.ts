/** The identity slice's commands: on-chain users (IdentityContract). */
import { accountTypes, createUserTransientKey, fabricUserIdSchema, genders } from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';

export const identityCommands = {
  CREATE_USER: defineCommand({
    payload: z
      .object({
        profileId: z.uuid(),
        fabricUserId: fabricUserIdSchema,
        countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
        dateOfBirth: z.iso.date(),
        gender: z.enum(genders),
        accountType: z.number().int().min(0).max(15),
        /** Hex SHA-1 of `lower(email)|dateOfBirth|countryCode`: lets the chaincode check the id's checksum without PII. */
        identityDigest: z.string().regex(/^[0-9a-f]{40}$/, 'must be a hex SHA-1 digest'),
      })
      .strict(),
    contract: 'IdentityContract',
    fn: 'CreateUser',
    args: (requestId, { fabricUserId }) => [requestId, fabricUserId],
    // The private facts the chaincode checks against the id (and the age rule): endorsers see them, blocks do
    // not. The country is the id's own first two letters.
    transient: ({ profileId, dateOfBirth, gender, accountType, identityDigest }) => ({
      [createUserTransientKey]: JSON.stringify({ profileId, dateOfBirth, gender, accountType, identityDigest }),
    }),
    signer: 'registrar',
    enqueuedBy: ['admin'],
    // An individual's genesis reads and writes its country's phase counter and treasury: such registrations of
    // one country serialize on the ledger anyway, so the submitter runs them one after the other instead of
    // racing. Other account types get no genesis and write no shared key.
    conflictKeys: (payload) => [
      `user:${payload.fabricUserId}`,
      `profile:${payload.profileId}`,
      ...(payload.accountType === accountTypes.INDIVIDUAL ? [`country:${payload.fabricUserId.slice(0, 2)}`] : []),
    ],
  }),
  UPDATE_USER_STATUS: defineCommand({
    payload: z
      .object({ fabricUserId: fabricUserIdSchema, status: z.enum(['ACTIVE', 'LOCKED']), reason: z.string().max(500) })
      .strict(),
    contract: 'IdentityContract',
    fn: 'UpdateUserStatus',
    args: (requestId, payload) => [requestId, payload.fabricUserId, payload.status, payload.reason],
    signer: 'registrar',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`user:${payload.fabricUserId}`],
  }),
} as const;
