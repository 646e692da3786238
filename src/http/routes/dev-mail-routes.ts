/**
 * GET /dev/mail: the dev mailbox (src/mail/dev-mailbox.ts), newest first, optionally only the mail to `to`.
 * Registered only when the API was given a dev mailbox, which production never is: there it answers 404.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DevMailbox } from '../../mail/dev-mailbox.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export async function devMailRoutes(root: FastifyInstance, options: { mailbox: DevMailbox }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/dev/mail',
    {
      schema: {
        tags: ['dev'],
        summary: 'Development only: the mail the API would have sent (no SMTP server configured)',
        querystring: z.strictObject({ to: z.string().max(254).optional() }),
        response: {
          200: z.object({
            items: z.array(z.object({ to: z.string(), subject: z.string(), text: z.string(), sentAt: z.date() })),
          }),
        },
      },
    },
    async (request) => ({ items: options.mailbox.messages(request.query.to) }),
  );
}
