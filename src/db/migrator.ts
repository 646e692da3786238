/**
 * Forward-only, versioned migrations recorded in `schema_migration`, and the start-up check that the
 * database is at exactly the level the code expects.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { migrations as knownMigrations, type Migration } from './migrations/index.js';

/** Serialises concurrent `gx migrate` runs (one Job, several replicas starting): any fixed 64-bit key. */
const MIGRATION_LOCK_KEY = 7_351_020_201;

const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migration (
    version     integer PRIMARY KEY,
    name        text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
  )`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export interface SchemaStatus {
  /** Known to the code, not applied to the database. */
  missing: Migration[];
  /** Applied to the database, unknown to this code (the database is ahead: newer code migrated it). */
  unknown: AppliedRow[];
  /** Applied, but from a different text than this code's (an edited migration). */
  altered: Migration[];
  /** The highest applied version, or 0. */
  currentVersion: number;
}

/** Raised when a role finds the database at another schema level than its code; names the migrations. */
export class SchemaMismatchError extends Error {
  readonly status: SchemaStatus;

  constructor(status: SchemaStatus) {
    super(describeMismatch(status));
    this.name = 'SchemaMismatchError';
    this.status = status;
  }
}

export function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

function label(migration: { version: number; name: string }): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}`;
}

function describeMismatch(status: SchemaStatus): string {
  const parts: string[] = [];
  if (status.missing.length > 0) {
    parts.push(`missing migrations (run \`gx migrate\`): ${status.missing.map(label).join(', ')}`);
  }
  if (status.unknown.length > 0) {
    parts.push(
      `migrations applied to the database but unknown to this code (deploy the newer version): ${status.unknown.map(label).join(', ')}`,
    );
  }
  if (status.altered.length > 0) {
    parts.push(`migrations whose applied text differs from this code's: ${status.altered.map(label).join(', ')}`);
  }
  return `The database schema is not at the level this code expects; ${parts.join('; ')}.`;
}

async function readApplied(client: pg.ClientBase): Promise<AppliedRow[]> {
  const exists = await client.query<{ present: boolean }>(
    `SELECT to_regclass('schema_migration') IS NOT NULL AS present`,
  );
  if (!exists.rows[0]?.present) return [];
  const result = await client.query<AppliedRow>(
    'SELECT version, name, checksum FROM schema_migration ORDER BY version',
  );
  return result.rows;
}

function compare(applied: AppliedRow[], expected: readonly Migration[]): SchemaStatus {
  const appliedByVersion = new Map(applied.map((row) => [row.version, row]));
  const expectedVersions = new Set(expected.map((migration) => migration.version));
  return {
    missing: expected.filter((migration) => !appliedByVersion.has(migration.version)),
    unknown: applied.filter((row) => !expectedVersions.has(row.version)),
    altered: expected.filter((migration) => {
      const row = appliedByVersion.get(migration.version);
      return row !== undefined && row.checksum !== checksumOf(migration);
    }),
    currentVersion: applied.reduce((max, row) => Math.max(max, row.version), 0),
  };
}

/** Where the database stands relative to the code's migrations. */
export async function schemaStatus(
  pool: pg.Pool,
  expected: readonly Migration[] = knownMigrations,
): Promise<SchemaStatus> {
  const client = await pool.connect();
  try {
    return compare(await readApplied(client), expected);
  } finally {
    client.release();
  }
}

/** Every role calls this before serving: the schema must be exactly the code's. */
export async function assertSchemaCurrent(
  pool: pg.Pool,
  expected: readonly Migration[] = knownMigrations,
): Promise<SchemaStatus> {
  const status = await schemaStatus(pool, expected);
  if (status.missing.length > 0 || status.unknown.length > 0 || status.altered.length > 0) {
    throw new SchemaMismatchError(status);
  }
  return status;
}

/**
 * Applies the missing migrations in order, each in its own transaction, under an advisory lock.
 * Refuses (changing nothing) when the database carries unknown or altered migrations.
 * Returns the migrations it applied; an up-to-date database gives an empty list.
 */
export async function migrate(pool: pg.Pool, expected: readonly Migration[] = knownMigrations): Promise<Migration[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const status = compare(await readApplied(client), expected);
    if (status.unknown.length > 0 || status.altered.length > 0) {
      throw new SchemaMismatchError({ ...status, missing: [] });
    }
    for (const migration of status.missing) {
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          checksumOf(migration),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${label(migration)} failed and was rolled back: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return status.missing;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

export { label as migrationLabel };
