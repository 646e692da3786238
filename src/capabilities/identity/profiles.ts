/**
 * User profiles: the SQL that reads and writes `user_profile`, and the API's view of a row.
 */
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../../db/cursor.js';
import type { Role } from '../../http/auth.js';
import { type AccountStatus, barredStatuses } from './account-status.js';

export type { Role };
export type ProfileStatus = 'REGISTERED' | 'APPROVED' | 'DENIED';
export type OnchainStatus = 'NOT_REGISTERED' | 'PENDING' | 'REGISTERED' | 'FAILED';

/** A profile as the API shows it (docs/api.md). */
export interface Profile {
  profileId: string;
  email: string;
  firstName: string;
  lastName: string;
  phoneNum: string | null;
  nationalityCountryCode: string | null;
  dateOfBirth: string | null;
  gender: string | null;
  role: Role;
  /** v1: REGISTERED, APPROVED or DENIED, kept for v1 clients; `accountStatus` is the v2 status. */
  status: ProfileStatus;
  onchainStatus: OnchainStatus;
  accountStatus: AccountStatus;
  fabricUserId: string | null;
  isLocked: boolean;
  lockReason: string | null;
  lockedAt: Date | null;
  reviewedAt: Date | null;
  denialReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  onchainRegisteredAt: Date | null;
}

interface ProfileRow {
  profile_id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone_num: string | null;
  nationality_country_code: string | null;
  date_of_birth: string | null;
  gender: string | null;
  role: Role;
  status: ProfileStatus;
  onchain_status: OnchainStatus;
  account_status: AccountStatus;
  fabric_user_id: string | null;
  is_locked: boolean;
  lock_reason: string | null;
  locked_at: Date | null;
  reviewed_at: Date | null;
  denial_reason: string | null;
  created_at: Date;
  updated_at: Date;
  onchain_registered_at: Date | null;
}

// date_of_birth as text: node-postgres would turn a DATE into a local-time Date and shift the day.
const COLUMNS = `profile_id, email, first_name, last_name, phone_num, nationality_country_code,
  date_of_birth::text AS date_of_birth, gender, role, status, onchain_status, account_status, fabric_user_id, is_locked,
  lock_reason, locked_at, reviewed_at, denial_reason, created_at, updated_at, onchain_registered_at`;

function toProfile(row: ProfileRow): Profile {
  return {
    profileId: row.profile_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNum: row.phone_num,
    nationalityCountryCode: row.nationality_country_code,
    dateOfBirth: row.date_of_birth,
    gender: row.gender,
    role: row.role,
    status: row.status,
    onchainStatus: row.onchain_status,
    accountStatus: row.account_status,
    fabricUserId: row.fabric_user_id,
    isLocked: row.is_locked,
    lockReason: row.lock_reason,
    lockedAt: row.locked_at,
    reviewedAt: row.reviewed_at,
    denialReason: row.denial_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    onchainRegisteredAt: row.onchain_registered_at,
  };
}

type Queryable = pg.Pool | pg.ClientBase;

/** The profile, or undefined. `forUpdate` locks the row for the caller's transaction. */
export async function findProfile(db: Queryable, profileId: string, forUpdate = false): Promise<Profile | undefined> {
  // Named (prepared once per connection): the hottest read of the API skips parse and plan.
  const result = await db.query<ProfileRow>({
    name: forUpdate ? 'gx-find-profile-for-update' : 'gx-find-profile',
    text: `SELECT ${COLUMNS} FROM user_profile WHERE profile_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    values: [profileId],
  });
  const row = result.rows[0];
  return row === undefined ? undefined : toProfile(row);
}

/** Many profiles by id in one query (for the batch loader). */
export async function findProfiles(db: Queryable, profileIds: readonly string[]): Promise<Map<string, Profile>> {
  const result = await db.query<ProfileRow>({
    name: 'gx-find-profiles',
    text: `SELECT ${COLUMNS} FROM user_profile WHERE profile_id = ANY($1::uuid[])`,
    values: [profileIds],
  });
  return new Map(result.rows.map((row) => [row.profile_id, toProfile(row)]));
}

/** What login needs: credentials and throttling state. */
export interface Credentials {
  profileId: string;
  role: Role;
  passwordHash: string;
  isLocked: boolean;
  failedLoginCount: number;
  lastFailedLoginAt: Date | null;
}

export async function findCredentials(db: Queryable, email: string): Promise<Credentials | undefined> {
  const result = await db.query<{
    profile_id: string;
    role: Role;
    password_hash: string;
    is_locked: boolean;
    failed_login_count: number;
    last_failed_login_at: Date | null;
  }>(
    // A suspended or closed account is refused like a locked one (account-status.ts, barredStatuses).
    `SELECT profile_id, role, password_hash, is_locked OR account_status = ANY($2::text[]) AS is_locked,
            failed_login_count, last_failed_login_at
       FROM user_profile WHERE tenant_id = 'default' AND lower(email) = lower($1)`,
    [email, barredStatuses],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : {
        profileId: row.profile_id,
        role: row.role,
        passwordHash: row.password_hash,
        isLocked: row.is_locked,
        failedLoginCount: row.failed_login_count,
        lastFailedLoginAt: row.last_failed_login_at,
      };
}

export interface NewProfile
  extends Pick<
    Profile,
    'email' | 'firstName' | 'lastName' | 'phoneNum' | 'nationalityCountryCode' | 'dateOfBirth' | 'gender' | 'role'
  > {
  passwordHash: string;
}

/** Raised when the email already belongs to a profile. */
export class EmailTakenError extends Error {
  constructor() {
    super('email is already registered');
    this.name = 'EmailTakenError';
  }
}

/** Inserts a profile; throws {@link EmailTakenError} when the (case-insensitive) email exists. */
export async function insertProfile(db: Queryable, profile: NewProfile): Promise<Profile> {
  try {
    const result = await db.query<ProfileRow>(
      `INSERT INTO user_profile (email, password_hash, first_name, last_name, phone_num, nationality_country_code,
         date_of_birth, gender, role)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        profile.email,
        profile.passwordHash,
        profile.firstName,
        profile.lastName,
        profile.phoneNum,
        profile.nationalityCountryCode,
        profile.dateOfBirth,
        profile.gender,
        profile.role,
      ],
    );
    return toProfile(result.rows[0]!);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new EmailTakenError();
    throw error;
  }
}

/** Off-chain fields a profile owner may change. */
export interface ProfileChanges {
  firstName?: string | undefined;
  lastName?: string | undefined;
  phoneNum?: string | null | undefined;
}

export async function updateProfile(
  db: Queryable,
  profileId: string,
  changes: ProfileChanges,
): Promise<Profile | undefined> {
  const result = await db.query<ProfileRow>(
    `UPDATE user_profile SET
       first_name = COALESCE($2, first_name),
       last_name  = COALESCE($3, last_name),
       phone_num  = CASE WHEN $4::boolean THEN $5 ELSE phone_num END,
       updated_at = now()
     WHERE profile_id = $1 RETURNING ${COLUMNS}`,
    [
      profileId,
      changes.firstName ?? null,
      changes.lastName ?? null,
      changes.phoneNum !== undefined,
      changes.phoneNum ?? null,
    ],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toProfile(row);
}

/** Sets columns of a profile (admin decisions); returns the new view. Column names come from code, never input. */
export async function setProfileColumns(
  db: Queryable,
  profileId: string,
  columns: Record<string, unknown>,
): Promise<Profile> {
  const names = Object.keys(columns);
  const assignments = names.map((name, index) => `${name} = $${index + 2}`).join(', ');
  const result = await db.query<ProfileRow>(
    `UPDATE user_profile SET ${assignments}, updated_at = now() WHERE profile_id = $1 RETURNING ${COLUMNS}`,
    [profileId, ...names.map((name) => columns[name])],
  );
  return toProfile(result.rows[0]!);
}

/** Profiles, oldest first, optionally by v1 and v2 status; keyset-paginated on (created_at, profile_id). */
export async function listProfiles(
  db: Queryable,
  options: {
    status?: ProfileStatus | undefined;
    accountStatus?: AccountStatus | undefined;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<Page<Profile>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<ProfileRow & { created_at_text: string }>(
    `SELECT ${COLUMNS}, created_at::text AS created_at_text FROM user_profile
      WHERE ($1::text IS NULL OR status = $1)
        AND ($5::text IS NULL OR account_status = $5)
        AND ($2::timestamptz IS NULL OR (created_at, profile_id) > ($2::timestamptz, $3::uuid))
      ORDER BY created_at, profile_id
      LIMIT $4`,
    [options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1, options.accountStatus ?? null],
  );
  return keysetPage(result.rows, options.limit, toProfile, (row) => [row.created_at_text, row.profile_id]);
}
