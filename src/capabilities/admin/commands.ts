/** The admin slice's commands: the system's set-up (AdminContract). */
import { systemParamsSchema } from '@gx/chaincode';
import { z } from 'zod';
import { defineCommand } from '../../commands/definition.js';

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
} as const;
