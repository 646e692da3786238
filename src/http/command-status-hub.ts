/**
 * One LISTEN connection per process for `gx_command_status`, fanned out to the SSE streams watching a
 * command: however many clients watch, the database sees one idle connection and no polling, and one read
 * per change of a watched command, shared by all its watchers (issue 29: not one per stream). A change that
 * arrives while the command is being read triggers one more read after it, so none is lost and reads never
 * pile up. After a reconnect every watched command is read again, since a notification may have been missed
 * while the connection was down.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { openListenConnection } from '../db/listen-connection.js';
import { COMMAND_STATUS_CHANNEL } from '../outbox/channels.js';
import type { CommandView } from '../outbox/status.js';

/** What a watcher is told after each change: the command as read, or why it could not be read. */
export interface CommandWatcher {
  onView(view: CommandView | undefined): void;
  onError(error: unknown): void;
}

export interface CommandStatusHub {
  /** Tells `watcher` the command after each change; returns the unsubscribe function. */
  watch(commandId: string, watcher: CommandWatcher): () => void;
  close(): Promise<void>;
}

interface Watched {
  watchers: Set<CommandWatcher>;
  reading: boolean;
  /** A change arrived during the read in flight: read once more after it. */
  again: boolean;
}

export async function startCommandStatusHub(
  clientConfig: pg.ClientConfig,
  logger: Logger,
  read: (commandId: string) => Promise<CommandView | undefined>,
): Promise<CommandStatusHub> {
  const watched = new Map<string, Watched>();
  const refresh = (commandId: string) => {
    const entry = watched.get(commandId);
    if (!entry) return;
    if (entry.reading) {
      entry.again = true;
      return;
    }
    entry.reading = true;
    read(commandId)
      .then(
        (view) => {
          for (const watcher of [...entry.watchers]) watcher.onView(view);
        },
        (error: unknown) => {
          for (const watcher of [...entry.watchers]) watcher.onError(error);
        },
      )
      .finally(() => {
        entry.reading = false;
        if (entry.again) {
          entry.again = false;
          refresh(commandId);
        }
      });
  };
  const connection = await openListenConnection({
    clientConfig,
    applicationName: 'gx-api-listen',
    channel: COMMAND_STATUS_CHANNEL,
    logger,
    reconnect: { initialMs: 250, maxMs: 30_000 },
    onNotification: (commandId) => {
      if (commandId !== undefined) refresh(commandId);
    },
    onReconnected: () => {
      for (const commandId of watched.keys()) refresh(commandId);
    },
  });
  return {
    watch(commandId, watcher) {
      let entry = watched.get(commandId);
      if (!entry) {
        entry = { watchers: new Set(), reading: false, again: false };
        watched.set(commandId, entry);
      }
      entry.watchers.add(watcher);
      const mine = entry;
      return () => {
        mine.watchers.delete(watcher);
        if (mine.watchers.size === 0 && watched.get(commandId) === mine) watched.delete(commandId);
      };
    },
    async close() {
      watched.clear();
      await connection.close();
    },
  };
}
