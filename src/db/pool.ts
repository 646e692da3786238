/**
 * The one way the backend reaches PostgreSQL: a node-postgres pool, whether the server is the embedded one
 * or the one `DATABASE_URL` / `PG*` names.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseSettings } from '../config.js';
import { type EmbeddedServer, startEmbeddedPostgres } from './embedded.js';

export interface Database {
  pool: pg.Pool;
  /** Connection settings for extra dedicated connections (LISTEN). */
  clientConfig: pg.ClientConfig;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

/** Opens a pool on the configured server, starting the embedded server first when none is configured. */
export async function openDatabase(settings: DatabaseSettings, options: OpenDatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let clientConfig: pg.ClientConfig;
  if (settings.kind === 'embedded') {
    embedded = await startEmbeddedPostgres({ dataDir: settings.dataDir, port: settings.port, logger: options.logger });
    clientConfig = { connectionString: embedded.connectionString };
  } else if (settings.kind === 'url') {
    clientConfig = { connectionString: settings.connectionString };
  } else {
    clientConfig = {
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database: settings.database,
    };
  }
  clientConfig = { ...clientConfig, application_name: options.applicationName ?? 'gx' };
  const pool = new pg.Pool({ ...clientConfig, max: settings.poolSize });
  // An idle client's error (server restart, network drop) must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'idle database connection failed'));
  return {
    pool,
    clientConfig,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

export interface TransactionOptions {
  /**
   * `false`: commit without waiting for the WAL flush (`SET LOCAL synchronous_commit = off`), for writes whose
   * loss in a database crash is harmless because they are redone (the projector's batches). Default `true`.
   */
  synchronousCommit?: boolean;
}

/** Runs `work` in a transaction on one pooled client; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    // One round trip either way.
    await client.query(options.synchronousCommit === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
