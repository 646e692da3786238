/** The trust slice's commands: relationships between users (IdentityContract, docs/trust.md). */
import { fabricUserIdSchema, relationshipIdPattern, relationshipTypeSchema } from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';

const relationshipIdSchema = z.string().regex(relationshipIdPattern, 'must be a relationship id (32 hex characters)');

/**
 * An answer or an end: who acts, and the other party. The other party is not an argument of the chaincode
 * (it reads the relationship); it names the second trust key the call may write, so the submitter can run
 * commands touching one user's score one after the other instead of letting them race (conflict keys).
 */
const actionPayload = z
  .object({
    relationshipId: relationshipIdSchema,
    byFabricUserId: fabricUserIdSchema,
    otherFabricUserId: fabricUserIdSchema,
  })
  .strict();
type ActionPayload = z.infer<typeof actionPayload>;

const actionArgs = (requestId: string, payload: ActionPayload) => [
  requestId,
  payload.relationshipId,
  payload.byFabricUserId,
];
const actionKeys = (payload: ActionPayload) => [
  `relationship:${payload.relationshipId}`,
  `trust:${payload.byFabricUserId}`,
  `trust:${payload.otherFabricUserId}`,
];

export const trustCommands = {
  REQUEST_RELATIONSHIP: defineCommand({
    payload: z
      .object({
        fromFabricUserId: fabricUserIdSchema,
        toFabricUserId: fabricUserIdSchema,
        type: relationshipTypeSchema,
      })
      .strict(),
    contract: 'IdentityContract',
    fn: 'RequestRelationship',
    args: (requestId, payload) => [requestId, payload.fromFabricUserId, payload.toFabricUserId, payload.type],
    signer: 'registrar',
    enqueuedBy: ['trust'],
    // The pair's key for the type: two requests between the same pair race for it.
    conflictKeys: (payload) => [
      `relationship-pair:${[payload.fromFabricUserId, payload.toFabricUserId].sort().join('/')}:${payload.type}`,
    ],
  }),
  CONFIRM_RELATIONSHIP: defineCommand({
    payload: actionPayload,
    contract: 'IdentityContract',
    fn: 'ConfirmRelationship',
    args: actionArgs,
    signer: 'registrar',
    enqueuedBy: ['trust'],
    conflictKeys: actionKeys,
  }),
  REJECT_RELATIONSHIP: defineCommand({
    payload: actionPayload,
    contract: 'IdentityContract',
    fn: 'RejectRelationship',
    args: actionArgs,
    signer: 'registrar',
    enqueuedBy: ['trust'],
    conflictKeys: actionKeys,
  }),
  END_RELATIONSHIP: defineCommand({
    payload: actionPayload,
    contract: 'IdentityContract',
    fn: 'EndRelationship',
    args: actionArgs,
    signer: 'registrar',
    enqueuedBy: ['trust'],
    conflictKeys: actionKeys,
  }),
} as const;
