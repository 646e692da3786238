/** The identity slice's commands: on-chain users (IdentityContract). */
import { fabricUserIdSchema, genders } from '@gx/chaincode';
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
    args: (requestId, { fabricUserId, ...user }) => [requestId, fabricUserId, JSON.stringify(user)],
    signer: 'registrar',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`user:${payload.fabricUserId}`, `profile:${payload.profileId}`],
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
