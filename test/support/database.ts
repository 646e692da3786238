/**
 * A database of its own for each test file, on the run's server, dropped afterwards: tests run in parallel
 * and leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrator.js';

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  /**
   * A pool whose sessions act as the database role `role` (`SET ROLE`, as a login user that is a member of
   * it): the grants of migration 0007, not the superuser's, decide what its queries may do. Ended by drop().
   */
  poolAs(role: string): pg.Pool;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database; with `migrated: true`, also applies every migration. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('serverUrl');
  const name = `gx_test_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  let dropping = false;
  // pg.Pool's end() resolves once it has asked its idle clients to end, not once their sockets are closed, so
  // DROP DATABASE … WITH (FORCE) can terminate one still closing (57P01), which the pool then emits as an
  // error. Only that is expected; any other idle-client error is still thrown, as without a listener.
  pool.on('error', (error: Error & { code?: string }) => {
    if (!(dropping && error.code === '57P01')) throw error;
  });
  if (options.migrated) await migrate(pool);
  const rolePools: pg.Pool[] = [];
  return {
    name,
    url,
    pool,
    poolAs(role) {
      const rolePool = new pg.Pool({ connectionString: url, max: 4 });
      rolePool.on('connect', (client) => {
        // Not caught: a role that does not exist must fail the test, not leave the session a superuser.
        void client.query(`SET ROLE ${pg.escapeIdentifier(role)}`);
      });
      rolePool.on('error', (error: Error & { code?: string }) => {
        if (!(dropping && error.code === '57P01')) throw error;
      });
      rolePools.push(rolePool);
      return rolePool;
    },
    async drop() {
      dropping = true;
      await Promise.all(rolePools.map((rolePool) => rolePool.end()));
      await pool.end();
      await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
