/**
 * One LISTEN connection per process for `gx_command_status`, fanned out to the SSE streams watching a
 * command: however many clients watch, the database sees one idle connection and no polling.
 * The connection reconnects with jittered backoff; after a reconnect every watcher is woken, since a
 * notification may have been missed while it was down.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { COMMAND_STATUS_CHANNEL } from '../outbox/channels.js';

export interface CommandStatusHub {
  /** Calls `listener` whenever the command's status may have changed; returns the unsubscribe function. */
  subscribe(commandId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

export async function startCommandStatusHub(clientConfig: pg.ClientConfig, logger: Logger): Promise<CommandStatusHub> {
  const listeners = new Map<string, Set<() => void>>();
  let client: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const wakeAll = () => {
    for (const set of listeners.values()) for (const listener of set) listener();
  };

  async function connect(): Promise<void> {
    const next = new pg.Client({ ...clientConfig, application_name: 'gx-api-listen' });
    next.on('notification', (message) => {
      if (message.payload === undefined) return;
      const set = listeners.get(message.payload);
      if (set) for (const listener of set) listener();
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'command status LISTEN connection failed; reconnecting');
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    await next.connect();
    await next.query(`LISTEN ${COMMAND_STATUS_CHANNEL}`);
    client = next;
    failures = 0;
  }

  function scheduleReconnect(failed: pg.Client): void {
    if (closed || client !== failed || retryTimer) return;
    client = undefined;
    failed.end().catch(() => undefined);
    const delay = Math.min(30_000, 250 * 2 ** failures) * (0.5 + Math.random() / 2);
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(wakeAll, (error: unknown) => {
        logger.warn({ err: error }, 'command status LISTEN reconnect failed');
        const placeholder = new pg.Client(clientConfig);
        client = placeholder;
        scheduleReconnect(placeholder);
      });
    }, delay);
  }

  await connect();
  return {
    subscribe(commandId, listener) {
      let set = listeners.get(commandId);
      if (!set) {
        set = new Set();
        listeners.set(commandId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(commandId);
      };
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      listeners.clear();
      await client?.end().catch(() => undefined);
    },
  };
}
