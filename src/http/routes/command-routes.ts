/**
 * The commands service: a command's status, and its changes pushed as Server-Sent Events.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { type CommandView, findCommand, isFinal } from '../../outbox/status.js';
import { hasRole } from '../auth.js';
import type { CommandStatusHub } from '../command-status-hub.js';
import { httpErrors } from '../errors.js';
import { sseStreamsOpen } from '../metrics.js';
import { commandIdParams, commandSchema, errorResponses } from '../schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface CommandRoutesOptions {
  pool: pg.Pool;
  hub: CommandStatusHub;
  /** Comment lines that keep idle proxies from closing a quiet stream. */
  heartbeatMs?: number;
}

/** A command visible to the caller: its submitter, an admin or an auditor (a read); others get 403. */
async function visibleCommand(pool: pg.Pool, request: FastifyRequest, commandId: string): Promise<CommandView> {
  const command = await findCommand(pool, commandId);
  if (!command) throw httpErrors.notFound('Command');
  if (!hasRole(request.user.role, 'auditor') && command.submittedBy !== request.user.sub) {
    throw httpErrors.forbidden('Only the submitter or an admin may see this command');
  }
  return command;
}

const changed = (a: CommandView, b: CommandView) =>
  a.status !== b.status ||
  a.attempts !== b.attempts ||
  a.retrying !== b.retrying ||
  (a.projectedAt === null) !== (b.projectedAt === null) ||
  (a.discardedAt === null) !== (b.discardedAt === null);

export async function commandRoutes(root: FastifyInstance, options: CommandRoutesOptions): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { pool, hub } = options;
  const open = new Set<() => void>();
  // preClose, not onClose: the server waits for open connections before onClose hooks run.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/api/v1/commands/:commandId',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['commands'],
        summary: 'A command: its submitter or an admin',
        params: commandIdParams,
        response: { 200: commandSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => visibleCommand(pool, request, request.params.commandId),
  );

  app.get(
    '/api/v1/commands/:commandId/events',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['commands'],
        summary:
          'Server-Sent Events: `status` on each change, then `projected` (read model updated) or `failed` (for good), then the stream ends',
        params: commandIdParams,
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const { commandId } = request.params;
      let last = await visibleCommand(pool, request, commandId);
      reply.hijack();
      sseStreamsOpen.inc();
      const raw = reply.raw;
      // The headers set so far (security headers, request id, CORS) go out with the stream's own.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) raw.setHeader(name, value);
      }
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let ended = false;
      let eventId = 0;
      const send = (event: string, data: unknown) => {
        eventId += 1;
        raw.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
      let unsubscribe = () => {};
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        raw.end();
      };
      const finishIfFinal = (view: CommandView) => {
        if (!isFinal(view)) return;
        send(view.projectedAt !== null ? 'projected' : 'failed', view);
        end();
      };
      open.add(end);
      raw.on('close', end);
      // Reads are chained so events leave in the order the database moved, however fast notifications come.
      let chain = Promise.resolve();
      unsubscribe = hub.subscribe(commandId, () => {
        chain = chain
          .then(async () => {
            if (ended) return;
            const view = await findCommand(pool, commandId);
            if (!view || ended) return;
            // A final change is announced once, as `projected` or `failed`; others as `status`.
            if (isFinal(view)) finishIfFinal(view);
            else if (changed(last, view)) send('status', view);
            last = view;
          })
          .catch((error: unknown) => {
            request.log.warn({ err: error }, 'command event stream failed');
            end();
          });
      });
      // Subscribed before this read, so a change between the first read and now is not missed.
      last = (await findCommand(pool, commandId)) ?? last;
      send('status', last);
      finishIfFinal(last);
    },
  );
}
