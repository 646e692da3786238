/**
 * A dedicated connection that LISTENs on one channel and heals itself: when it drops, it reconnects with
 * the shared backoff, runs `onConnect` again (a session lock, say), listens again and calls `onReconnected`
 * (notifications sent while it was away are lost, so the owner should look for what it missed).
 *
 * Used by the submitter (new outbox rows; the connection also carries its liveness lock) and by the API
 * (command status changes, fanned out to event streams): however many waiters, one idle connection each.
 */
import pg from 'pg';
import { type BackoffOptions, createBackoff } from '../backoff.js';
import type { Logger } from '../observability/logger.js';

export interface ListenConnectionOptions {
  clientConfig: pg.ClientConfig;
  /** `application_name` of the connection, so it can be told apart in pg_stat_activity. */
  applicationName: string;
  channel: string;
  logger: Logger;
  /** A notification on the channel (its payload, if any). */
  onNotification: (payload: string | undefined) => void;
  /** Runs on each connection before LISTEN (e.g. to take a session lock); a failure counts as a failed connect. */
  onConnect?: (client: pg.Client) => Promise<void>;
  /** The connection was lost and is back. */
  onReconnected?: () => void;
  /** Default 100 ms doubling to 30 s. */
  reconnect?: BackoffOptions;
}

export interface ListenConnection {
  /** Ends the connection (and with it any session lock) and stops reconnecting. */
  close(): Promise<void>;
}

/** Connects and listens; throws if the first attempt fails. */
export async function openListenConnection(options: ListenConnectionOptions): Promise<ListenConnection> {
  const { logger, channel } = options;
  const backoff = createBackoff(options.reconnect ?? { initialMs: 100, maxMs: 30_000 });
  let client: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const next = new pg.Client({ ...options.clientConfig, application_name: options.applicationName });
    next.on('notification', (message) => options.onNotification(message.payload));
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('connection ended')));
    try {
      await next.connect();
      await options.onConnect?.(next);
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
    backoff.reset();
  }

  function lost(failed: pg.Client, error: Error): void {
    if (closed || failed !== client) return;
    client = undefined;
    failed.removeAllListeners('end');
    failed.end().catch(() => undefined);
    logger.warn({ err: error, channel }, 'LISTEN connection lost; reconnecting');
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    retryTimer = setTimeout(() => {
      connect().then(
        () => {
          logger.info({ channel }, 'LISTEN connection re-established');
          options.onReconnected?.();
        },
        (error: unknown) => {
          logger.warn({ err: error, channel }, 'LISTEN reconnect failed');
          if (!closed) scheduleReconnect();
        },
      );
    }, backoff.next());
    retryTimer.unref();
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => undefined);
      }
    },
  };
}
