/**
 * The submitter's dedicated connection: it LISTENs for new outbox rows and holds the worker's liveness lock.
 * When it drops, it reconnects with exponential backoff and jitter, listens and locks again, and asks for a
 * poll (notifications sent while it was away are lost).
 */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';
import { OUTBOX_CHANNEL } from '../outbox/channels.js';
import { registerWorker } from '../outbox/workers.js';

export interface ListenConnectionOptions {
  clientConfig: pg.ClientConfig;
  workerId: string;
  logger: Logger;
  /** A row was inserted, or the connection came back (anything may have been missed): look for work. */
  onWake: () => void;
  /** The connection (and with it the liveness lock) was lost and is back. */
  onReconnected?: () => void;
}

export class ListenConnection {
  readonly #options: ListenConnectionOptions;
  #client: pg.Client | undefined;
  #closed = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: ListenConnectionOptions) {
    this.#options = options;
  }

  /** Connects, registers the worker and listens; throws if the first attempt fails. */
  async open(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ ...this.#options.clientConfig, application_name: 'gx-submitter-listen' });
    client.on('notification', () => this.#options.onWake());
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await registerWorker(client, this.#options.workerId);
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.#client = client;
    this.#failures = 0;
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#closed || client !== this.#client) return;
    this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.#options.logger.warn({ err: error }, 'LISTEN connection lost; reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = Math.min(30_000, 100 * 2 ** this.#failures) * (0.5 + Math.random() / 2);
    this.#failures += 1;
    this.#retryTimer = setTimeout(() => {
      this.#connect().then(
        () => {
          this.#options.logger.info('LISTEN connection re-established');
          this.#options.onReconnected?.();
          this.#options.onWake();
        },
        (error: unknown) => {
          this.#options.logger.warn({ err: error }, 'LISTEN reconnect failed');
          if (!this.#closed) this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#retryTimer.unref();
  }

  /** Closes the connection, releasing the liveness lock. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
