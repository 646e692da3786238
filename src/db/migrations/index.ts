/**
 * Every migration the code knows, in order. Append only: a released migration is never edited or removed.
 * Each says whether the release before it can run on the schema it leaves (expand/contract): the migrator
 * records that in `schema_migration`, so that older code, which does not know the migration, can read it.
 *
 * Least privilege (0007): a migration that adds a table, column or sequence grants on it, in the same text, to
 * the roles whose code uses it (gx_api, gx_submitter, gx_projector; README "Database roles"). Without the
 * grant the new code fails with 42501 in production while every test, run as a superuser, passes.
 */
import { sql as initialSchema } from './0001_initial_schema.js';
import { sql as submitterSchema } from './0002_submitter.js';
import { sql as projectorSchema } from './0003_projector.js';
import { sql as outboxWriteCost } from './0004_outbox_write_cost.js';
import { sql as projectorScannedBlock } from './0005_projector_scanned_block.js';
import { sql as tokenomicsV2 } from './0006_tokenomics_v2.js';
import { sql as databaseRoles } from './0007_database_roles.js';
import { sql as outboxTraceContext } from './0008_outbox_trace_context.js';
import { sql as identityV2 } from './0009_identity_v2.js';
import { sql as relationshipsTrustPasswordReset } from './0010_relationships_trust_password_reset.js';
import { sql as organizations } from './0011_organizations.js';

/**
 * Expand/contract: can code released before a migration run on the schema it leaves?
 * - `true`, an **expand** step (new tables, nullable or defaulted columns, new indexes, dropping what no code
 *   uses): whatever code ran on the schema before it runs after it. The previous release's pods stay ready
 *   while this migration's release rolls out.
 * - `{ since: n }`, a **contract** step (dropping or narrowing what older code used): only code that knows
 *   migration `n` or later runs on it. `n` is the first migration of the release that stopped using what this
 *   one removes; ship the contract step a release after that one, so the release before it stays ready.
 * - `false`: no code before this migration runs on it (a rename, a type change, a rewrite). Deploying it takes
 *   the previous release's pods out of service until the new ones are ready; split it into expand and
 *   contract steps instead.
 */
export type MigrationCompatibility = boolean | { since: number };

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Whether the previous release can run on this migration's schema (see {@link MigrationCompatibility}). */
  previousReleaseCompatible: MigrationCompatibility;
}

export const migrations: readonly Migration[] = [
  // Nothing ran before the first schema.
  { version: 1, name: 'initial_schema', sql: initialSchema, previousReleaseCompatible: false },
  // Added tables and columns only.
  { version: 2, name: 'submitter', sql: submitterSchema, previousReleaseCompatible: true },
  { version: 3, name: 'projector', sql: projectorSchema, previousReleaseCompatible: true },
  // Dropped two indexes no query used and changed a column's storage: invisible to every query.
  { version: 4, name: 'outbox_write_cost', sql: outboxWriteCost, previousReleaseCompatible: true },
  // A nullable column the previous release neither reads nor writes.
  { version: 5, name: 'projector_scanned_block', sql: projectorScannedBlock, previousReleaseCompatible: true },
  // New tables and columns, a widened CHECK, a dropped table no release used (see the file for the one
  // behaviour an old pod shows during the rollout: it refuses super admins' and auditors' tokens).
  { version: 6, name: 'tokenomics_v2', sql: tokenomicsV2, previousReleaseCompatible: true },
  // Roles, grants and an index: the previous release connects as the owner and keeps every privilege it had.
  { version: 7, name: 'database_roles', sql: databaseRoles, previousReleaseCompatible: true },
  // A nullable column the previous release neither reads nor writes.
  { version: 8, name: 'outbox_trace_context', sql: outboxTraceContext, previousReleaseCompatible: true },
  // New tables, defaulted and nullable columns, a trigger (see the file for what an old pod leaves behind).
  { version: 9, name: 'identity_v2', sql: identityV2, previousReleaseCompatible: true },
  // New tables only (relationships, trust scores, password-reset tokens), with their grants.
  {
    version: 10,
    name: 'relationships_trust_password_reset',
    sql: relationshipsTrustPasswordReset,
    previousReleaseCompatible: true,
  },
  // New tables only (organizations, stakeholders, payment requests and approvals), with their grants.
  { version: 11, name: 'organizations', sql: organizations, previousReleaseCompatible: true },
];
