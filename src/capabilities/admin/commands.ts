/**
 * The admin slice's commands: the system's set-up and controls (AdminContract, docs/tokenomics.md). All but
 * the bootstrap reach the outbox only through an approved four-eyes request (approvals.ts).
 */
import { adminRoles, profileDigest, systemParamsSchema } from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';
import { feeCellSchema } from './parameters.js';

const reason = z.string().trim().min(1).max(500);

/**
 * Pause and resume write `gx/paused`, which every value movement reads. Movements do not list the key: they
 * would all share it and run one at a time. A movement endorsed before a pause commits and validated after it
 * fails MVCC validation and is retried, and then meets the pause (GX_SYSTEM_PAUSED).
 */
const pauseChange = (fn: 'PauseSystem' | 'ResumeSystem') =>
  defineCommand({
    payload: z.object({ reason }).strict(),
    contract: 'AdminContract',
    fn,
    args: (requestId, payload) => [requestId, payload.reason],
    signer: 'super_admin',
    enqueuedBy: ['admin'],
    conflictKeys: () => ['paused'],
  });

export const adminCommands = {
  BOOTSTRAP_SYSTEM: defineCommand({
    payload: z.object({ params: systemParamsSchema }).strict(),
    contract: 'AdminContract',
    fn: 'BootstrapSystem',
    args: (requestId, payload) => [requestId, JSON.stringify(payload.params)],
    signer: 'super_admin',
    enqueuedBy: ['admin'],
    conflictKeys: () => ['system'],
  }),
  PAUSE_SYSTEM: pauseChange('PauseSystem'),
  RESUME_SYSTEM: pauseChange('ResumeSystem'),
  /** Profiles travel as ids in the outbox and as digests to the ledger, which never sees a profile id. */
  APPOINT_ADMIN: defineCommand({
    payload: z.object({ profileId: z.uuid(), role: z.enum(adminRoles), appointedBy: z.uuid() }).strict(),
    contract: 'AdminContract',
    fn: 'AppointAdmin',
    args: (requestId, payload) => [
      requestId,
      profileDigest(payload.profileId),
      payload.role,
      profileDigest(payload.appointedBy),
    ],
    signer: 'super_admin',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`admin:${profileDigest(payload.profileId)}`],
  }),
  REVOKE_ADMIN: defineCommand({
    payload: z.object({ profileId: z.uuid(), revokedBy: z.uuid() }).strict(),
    contract: 'AdminContract',
    fn: 'RevokeAdmin',
    args: (requestId, payload) => [requestId, profileDigest(payload.profileId), profileDigest(payload.revokedBy)],
    signer: 'super_admin',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`admin:${profileDigest(payload.profileId)}`],
  }),
  /**
   * Writes `gx/params`, which transfers read (the fee schedule): as with the pause, transfers do not list it,
   * and one endorsed across the change is retried under the new schedule.
   */
  SET_PARAMETER: defineCommand({
    payload: feeCellSchema,
    contract: 'AdminContract',
    fn: 'SetParameter',
    args: (requestId, payload) => [requestId, payload.name, JSON.stringify(payload.value)],
    signer: 'super_admin',
    enqueuedBy: ['admin'],
    conflictKeys: () => ['params'],
  }),
} as const;
