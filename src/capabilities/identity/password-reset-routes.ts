/**
 * Account self-service routes: password reset by mail (password-reset.ts). Served only when the API has a
 * mailer (src/mail/mail-setup.ts): production without GX_SMTP_URL answers 404 here.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { httpErrors } from '../../http/errors.js';
import { errorResponses } from '../../http/schemas.js';
import type { ZodTypeProvider } from '../../http/zod-schemas.js';
import type { CapabilityContext } from '../index.js';
import { confirmPasswordReset, PasswordResetRefusedError, PasswordResetRequests } from './password-reset.js';
import { warmPasswordPolicy } from './passwords.js';

export async function passwordResetRoutes(root: FastifyInstance, options: CapabilityContext): Promise<void> {
  const { mailer } = options;
  if (!mailer) return;
  await warmPasswordPolicy();
  const app = root.withTypeProvider<ZodTypeProvider>();
  const settings = { pool: options.pool, mailer, now: options.now, logger: root.log };
  const requests = new PasswordResetRequests(settings);
  root.addHook('onClose', () => requests.idle());

  app.post(
    '/api/v1/auth/password-reset',
    {
      // Anyone may ask, so the per-IP limit of the other auth routes applies.
      config: { authRateLimit: true },
      schema: {
        tags: ['auth'],
        summary:
          'Ask for a password-reset mail: 202 always, at once, whether or not the email has an account; only ' +
          'an account that can log in gets a mail (a token valid 30 minutes, once)',
        body: z.strictObject({ email: z.email().max(254) }),
        response: { 202: z.object({}), ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      requests.enqueue(request.body.email);
      return reply.code(202).send({});
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { authRateLimit: true },
      schema: {
        tags: ['auth'],
        summary:
          'Set a new password with a reset token; every session of the account is revoked. 400 naming `token` ' +
          '(unknown, used or expired) or `newPassword` (weak)',
        body: z.strictObject({
          token: z.string().min(1).max(256),
          newPassword: z.string().min(8, 'must be at least 8 characters').max(256),
        }),
      },
    },
    async (request, reply) => {
      try {
        await confirmPasswordReset(settings, request.body.token, request.body.newPassword);
      } catch (error) {
        if (error instanceof PasswordResetRefusedError) {
          throw httpErrors.invalidInput([{ field: error.field, message: error.message }]);
        }
        throw error;
      }
      return reply.code(204).send();
    },
  );
}
