/**
 * Forward-only, versioned migrations recorded in `schema_migration`, and the check every role makes at start
 * and in `/readyz`: the database must carry every migration the code knows, unaltered, and nothing newer
 * unless the newer migrations were declared compatible with this code (expand/contract, see
 * migrations/index.ts). Each applied row records `compatible_from`: the oldest code, named by the highest
 * migration it knows, that runs on the schema as of that row. Older code reads it without knowing the
 * migration, so the previous release stays ready while the next one migrates and rolls out.
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
// Added to the migrator's own table in place (not by a numbered migration): code that predates the column
// names its columns and never reads it; rows recorded before it have NULL, read as "incompatible".
const ADD_COMPATIBILITY = 'ALTER TABLE schema_migration ADD COLUMN IF NOT EXISTS compatible_from integer';

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  /** The oldest code (by the highest migration it knows) that runs on the schema as of this row; null: unknown. */
  compatible_from: number | null;
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
  /** The highest version this code knows. */
  codeVersion: number;
  /**
   * This code can run on the database: nothing missing or altered, and any unknown (newer) migrations were
   * declared compatible with this code by the release that applied them.
   */
  usable: boolean;
  /** The database is ahead, and compatibly so: the newer migrations this code runs on. */
  compatibleNewer: AppliedRow[];
}

/**
 * The `compatible_from` each migration records: the oldest code (named by the highest migration it knows)
 * that runs on the schema once the migrations up to it are applied.
 */
export function compatibilityFloors(expected: readonly Migration[]): Map<number, number> {
  const floors = new Map<number, number>();
  let floor = 0;
  for (const migration of expected) {
    const declared = migration.previousReleaseCompatible;
    if (declared === false) floor = migration.version;
    else if (declared !== true) floor = Math.max(floor, declared.since);
    floors.set(migration.version, floor);
  }
  return floors;
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
  if (status.unknown.length > 0 && status.compatibleNewer.length === 0) {
    parts.push(
      `migrations applied to the database but unknown to this code and not declared compatible with it (deploy the newer version): ${status.unknown.map(label).join(', ')}`,
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
  // Through to_jsonb: the column is absent from a table no code of this kind has migrated yet.
  const result = await client.query<AppliedRow>(
    `SELECT version, name, checksum, (to_jsonb(m) ->> 'compatible_from')::integer AS compatible_from
       FROM schema_migration m ORDER BY version`,
  );
  return result.rows;
}

function compare(applied: AppliedRow[], expected: readonly Migration[]): SchemaStatus {
  const appliedByVersion = new Map(applied.map((row) => [row.version, row]));
  const expectedVersions = new Set(expected.map((migration) => migration.version));
  const codeVersion = expected.reduce((max, migration) => Math.max(max, migration.version), 0);
  const missing = expected.filter((migration) => !appliedByVersion.has(migration.version));
  const unknown = applied.filter((row) => !expectedVersions.has(row.version));
  const altered = expected.filter((migration) => {
    const row = appliedByVersion.get(migration.version);
    return row !== undefined && row.checksum !== checksumOf(migration);
  });
  // The newest applied row says which code runs on the schema as it stands; unknown rows must all be newer
  // than this code (a row it skipped would be a branch it never saw).
  const newest = applied.at(-1);
  const compatible =
    unknown.length > 0 &&
    unknown.every((row) => row.version > codeVersion) &&
    newest?.compatible_from != null &&
    codeVersion >= newest.compatible_from;
  return {
    missing,
    unknown,
    altered,
    currentVersion: applied.reduce((max, row) => Math.max(max, row.version), 0),
    codeVersion,
    usable: missing.length === 0 && altered.length === 0 && (unknown.length === 0 || compatible),
    compatibleNewer: compatible ? unknown : [],
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

/**
 * Every role calls this before serving, and the probes on every `/readyz`: the schema must be the code's, or
 * newer by migrations declared compatible with it.
 */
export async function assertSchemaCompatible(
  pool: pg.Pool,
  expected: readonly Migration[] = knownMigrations,
): Promise<SchemaStatus> {
  const status = await schemaStatus(pool, expected);
  if (!status.usable) throw new SchemaMismatchError(status);
  return status;
}

/** The `schema` check of a `/readyz` answer: ok on the code's schema or a compatible newer one. */
export interface SchemaCheck {
  ok: boolean;
  /** The database's migration. */
  migration: number;
  /** The highest migration this code knows. */
  code: number;
  /** Newer migrations this code runs on (declared compatible by the release that applied them). */
  compatibleNewer?: string[];
  error?: string;
}

/** Reads the schema status as a readiness check; throws only when the database cannot be queried. */
export async function schemaCheck(
  pool: pg.Pool,
  expected: readonly Migration[] = knownMigrations,
): Promise<SchemaCheck> {
  const status = await schemaStatus(pool, expected);
  return {
    ok: status.usable,
    migration: status.currentVersion,
    code: status.codeVersion,
    ...(status.compatibleNewer.length > 0 ? { compatibleNewer: status.compatibleNewer.map(label) } : {}),
    ...(status.usable ? {} : { error: new SchemaMismatchError(status).message }),
  };
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
    await client.query(ADD_COMPATIBILITY);
    const status = compare(await readApplied(client), expected);
    if (status.unknown.length > 0 || status.altered.length > 0) {
      // An older migrate never touches a newer schema, compatible or not.
      throw new SchemaMismatchError({ ...status, missing: [], usable: false, compatibleNewer: [] });
    }
    const floors = compatibilityFloors(expected);
    // Rows recorded before the column existed get their declared compatibility now (the code knows them).
    for (const migration of expected) {
      if (status.missing.includes(migration)) continue;
      await client.query(
        'UPDATE schema_migration SET compatible_from = $2 WHERE version = $1 AND compatible_from IS DISTINCT FROM $2',
        [migration.version, floors.get(migration.version)],
      );
    }
    for (const migration of status.missing) {
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migration (version, name, checksum, compatible_from) VALUES ($1, $2, $3, $4)',
          [migration.version, migration.name, checksumOf(migration), floors.get(migration.version)],
        );
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
