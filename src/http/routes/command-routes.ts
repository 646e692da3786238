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

/** Bounds on Server-Sent Event streams (issue 29): each holds a socket and a watcher for as long as it lives. */
export interface EventStreamLimits {
  /** Streams open in this process; beyond, 503 with Retry-After. */
  maxStreams: number;
  /** Streams open per user in this process; beyond, 429 with Retry-After. */
  maxPerUser: number;
  /** A stream is ended after this long (the client reconnects and is told the current status at once). */
  maxLifetimeMs: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamLimits = { maxStreams: 2000, maxPerUser: 100, maxLifetimeMs: 600_000 };

export interface CommandRoutesOptions {
  pool: pg.Pool;
  hub: CommandStatusHub;
  limits: EventStreamLimits;
  /** Comment lines that keep idle proxies from closing a quiet stream. */
  heartbeatMs?: number;
}

/**
 * A command visible to the caller: its submitter, an admin or an auditor (a read). Another user's command answers 404 exactly as
 * an unknown id does (issue 29), so ids cannot be probed for existence.
 */
async function visibleCommand(pool: pg.Pool, request: FastifyRequest, commandId: string): Promise<CommandView> {
  const command = await findCommand(pool, commandId);
  if (!command || (!hasRole(request.user.role, 'auditor') && command.submittedBy !== request.user.sub)) {
    throw httpErrors.notFound('Command');
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
  const { pool, hub, limits } = options;
  const open = new Set<() => void>();
  const openPerUser = new Map<string, number>();
  let closing = false;
  // preClose, not onClose: the server waits for open connections before onClose hooks run. A stream still being
  // set up (awaiting its first read) when this runs sees `closing` and is refused, else it would hold the
  // server open until its maximum lifetime.
  app.addHook('preClose', async () => {
    closing = true;
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
      const user = request.user.sub;
      const mine = openPerUser.get(user) ?? 0;
      if (closing) throw httpErrors.unavailable('The server is shutting down', 1);
      if (open.size >= limits.maxStreams) throw httpErrors.unavailable('Too many event streams are open', 5);
      if (mine >= limits.maxPerUser) {
        throw httpErrors.rateLimited(5);
      }
      openPerUser.set(user, mine + 1);
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
      const lifetime = setTimeout(() => end(), limits.maxLifetimeMs);
      let unsubscribe = () => {};
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        unsubscribe();
        open.delete(end);
        const left = (openPerUser.get(user) ?? 1) - 1;
        if (left > 0) openPerUser.set(user, left);
        else openPerUser.delete(user);
        raw.end();
      };
      const finishIfFinal = (view: CommandView) => {
        if (!isFinal(view)) return;
        send(view.projectedAt !== null ? 'projected' : 'failed', view);
        end();
      };
      open.add(end);
      raw.on('close', end);
      // The hub reads the command once per change for every stream watching it, in the order the database
      // moved; a final change is announced once, as `projected` or `failed`, others as `status`.
      unsubscribe = hub.watch(commandId, {
        onView(view) {
          if (!view || ended) return;
          if (isFinal(view)) finishIfFinal(view);
          else if (changed(last, view)) send('status', view);
          last = view;
        },
        onError(error) {
          request.log.warn({ err: error }, 'command event stream failed');
          end();
        },
      });
      // Watched before this read, so a change between the first read and now is not missed.
      last = (await findCommand(pool, commandId)) ?? last;
      if (ended) return;
      send('status', last);
      finishIfFinal(last);
    },
  );
}
