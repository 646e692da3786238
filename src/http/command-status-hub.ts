/**
 * One LISTEN connection per process for `gx_command_status`, fanned out to the SSE streams watching a
 * command: however many clients watch, the database sees one idle connection and no polling. After a
 * reconnect every watcher is woken, since a notification may have been missed while it was down.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { openListenConnection } from '../db/listen-connection.js';
import { COMMAND_STATUS_CHANNEL } from '../outbox/channels.js';

export interface CommandStatusHub {
  /** Calls `listener` whenever the command's status may have changed; returns the unsubscribe function. */
  subscribe(commandId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

export async function startCommandStatusHub(clientConfig: pg.ClientConfig, logger: Logger): Promise<CommandStatusHub> {
  const listeners = new Map<string, Set<() => void>>();
  const connection = await openListenConnection({
    clientConfig,
    applicationName: 'gx-api-listen',
    channel: COMMAND_STATUS_CHANNEL,
    logger,
    reconnect: { initialMs: 250, maxMs: 30_000 },
    onNotification: (commandId) => {
      if (commandId === undefined) return;
      const set = listeners.get(commandId);
      if (set) for (const listener of set) listener();
    },
    onReconnected: () => {
      for (const set of listeners.values()) for (const listener of set) listener();
    },
  });
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
      listeners.clear();
      await connection.close();
    },
  };
}
