/**
 * Organization read models as projected from the ledger: organizations, their stakeholders and endorsements,
 * payment requests with their approvals. Who may see what is decided by the routes; these only read.
 */
import type { ApprovalRule, OrganizationType, PaymentStatus } from '@gx/chaincode';
import type pg from 'pg';
import { decodeCursor, keysetPage, type Page } from '../../db/cursor.js';

export interface StakeholderView {
  fabricUserId: string;
  endorsedAt: Date | null;
}

export interface OrganizationView {
  orgId: string;
  name: string;
  type: OrganizationType;
  countryCode: string;
  proposer: string;
  status: 'PENDING' | 'VERIFIED';
  /** The organization's account, once VERIFIED. */
  fabricUserId: string | null;
  /** Its wallet's balance as the ledger last reported it ("0" before any payment to it; null before VERIFIED). */
  balance: string | null;
  rules: ApprovalRule[];
  stakeholders: StakeholderView[];
  createdAt: Date;
  changedAt: Date;
}

interface OrganizationRow {
  org_id: string;
  name: string;
  type: OrganizationType;
  country_code: string;
  proposer: string;
  status: 'PENDING' | 'VERIFIED';
  fabric_user_id: string | null;
  balance: string | null;
  rules: ApprovalRule[];
  created_at: Date;
  changed_at: Date;
  stakeholders: Array<{ fabricUserId: string; endorsedAt: string | null }>;
}

const ORGANIZATION_SELECT = `
  SELECT o.org_id, o.name, o.type, o.country_code, o.proposer, o.status, o.fabric_user_id, w.balance::text AS balance,
         o.rules, o.created_at, o.changed_at,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('fabricUserId', s.fabric_user_id, 'endorsedAt', s.endorsed_at)
                                    ORDER BY s.fabric_user_id), '[]'::jsonb)
            FROM organization_stakeholder s WHERE s.org_id = o.org_id) AS stakeholders
    FROM organization o
    LEFT JOIN wallet w ON w.fabric_user_id = o.fabric_user_id`;

function toOrganization(row: OrganizationRow): OrganizationView {
  return {
    orgId: row.org_id,
    name: row.name,
    type: row.type,
    countryCode: row.country_code,
    proposer: row.proposer,
    status: row.status,
    fabricUserId: row.fabric_user_id,
    balance: row.balance,
    rules: row.rules,
    stakeholders: row.stakeholders.map((s) => ({
      fabricUserId: s.fabricUserId,
      endorsedAt: s.endorsedAt === null ? null : new Date(s.endorsedAt),
    })),
    createdAt: row.created_at,
    changedAt: row.changed_at,
  };
}

export async function findOrganization(db: pg.Pool, orgId: string): Promise<OrganizationView | undefined> {
  const result = await db.query<OrganizationRow>(`${ORGANIZATION_SELECT} WHERE o.org_id = $1`, [orgId]);
  const row = result.rows[0];
  return row === undefined ? undefined : toOrganization(row);
}

/**
 * Organizations newest first; only those `stakeholder` belongs to when given (staff see all). Keyset-paginated
 * on (created_at, org_id).
 */
export async function listOrganizations(
  db: pg.Pool,
  stakeholder: string | undefined,
  options: { cursor?: string | undefined; limit: number },
): Promise<Page<OrganizationView>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<OrganizationRow>(
    `${ORGANIZATION_SELECT}
      WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM organization_stakeholder m
                                          WHERE m.org_id = o.org_id AND m.fabric_user_id = $1))
        AND ($2::timestamptz IS NULL OR (o.created_at, o.org_id) < ($2::timestamptz, $3::text))
      ORDER BY o.created_at DESC, o.org_id DESC
      LIMIT $4`,
    [stakeholder ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  return keysetPage(result.rows, options.limit, toOrganization, (row) => [row.created_at.toISOString(), row.org_id]);
}

export interface PaymentView {
  paymentId: string;
  orgId: string;
  toFabricUserId: string;
  amount: string;
  memo: string;
  initiator: string;
  rule: ApprovalRule;
  approvals: Array<{ fabricUserId: string; approvedAt: Date }>;
  status: PaymentStatus;
  failure: { code: string; message: string } | null;
  createdAt: Date;
  expiresAt: Date;
  changedAt: Date;
}

interface PaymentRow {
  payment_id: string;
  org_id: string;
  to_user_id: string;
  amount: string;
  memo: string;
  initiator: string;
  rule: ApprovalRule;
  status: PaymentStatus;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  expires_at: Date;
  changed_at: Date;
  approvals: Array<{ fabricUserId: string; approvedAt: string }>;
}

const PAYMENT_SELECT = `
  SELECT p.payment_id, p.org_id, p.to_user_id, p.amount::text AS amount, p.memo, p.initiator, p.rule, p.status,
         p.failure_code, p.failure_message, p.created_at, p.expires_at, p.changed_at,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('fabricUserId', a.approver, 'approvedAt', a.approved_at)
                                    ORDER BY a.approved_at, a.approver), '[]'::jsonb)
            FROM organization_payment_approval a WHERE a.payment_id = p.payment_id) AS approvals
    FROM organization_payment p`;

function toPayment(row: PaymentRow): PaymentView {
  return {
    paymentId: row.payment_id,
    orgId: row.org_id,
    toFabricUserId: row.to_user_id,
    amount: row.amount,
    memo: row.memo,
    initiator: row.initiator,
    rule: row.rule,
    approvals: row.approvals.map((a) => ({ fabricUserId: a.fabricUserId, approvedAt: new Date(a.approvedAt) })),
    status: row.status,
    failure: row.failure_code === null ? null : { code: row.failure_code, message: row.failure_message ?? '' },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    changedAt: row.changed_at,
  };
}

export async function findPayment(db: pg.Pool, orgId: string, paymentId: string): Promise<PaymentView | undefined> {
  const result = await db.query<PaymentRow>(`${PAYMENT_SELECT} WHERE p.org_id = $1 AND p.payment_id = $2`, [
    orgId,
    paymentId,
  ]);
  const row = result.rows[0];
  return row === undefined ? undefined : toPayment(row);
}

/** An organization's payment requests, newest first, of one status when given; keyset on (created_at, id). */
export async function listPayments(
  db: pg.Pool,
  orgId: string,
  options: { status?: PaymentStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<PaymentView>> {
  const after = decodeCursor(options.cursor, 2);
  const result = await db.query<PaymentRow>(
    `${PAYMENT_SELECT}
      WHERE p.org_id = $1 AND ($2::text IS NULL OR p.status = $2)
        AND ($3::timestamptz IS NULL OR (p.created_at, p.payment_id) < ($3::timestamptz, $4::text))
      ORDER BY p.created_at DESC, p.payment_id DESC
      LIMIT $5`,
    [orgId, options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, options.limit + 1],
  );
  return keysetPage(result.rows, options.limit, toPayment, (row) => [row.created_at.toISOString(), row.payment_id]);
}

/** Whether the projected country table lacks that code (false while no table is projected). */
export async function countryUnknown(db: pg.Pool, code: string): Promise<boolean> {
  // Only once the country table is projected: a projection started past the ledger's bootstrap has none, and
  // then the ledger is the one to refuse an unknown country (as for a user's approval, admin/actions.ts).
  const result = await db.query<{ unknown: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM country) AND NOT EXISTS (SELECT 1 FROM country WHERE code = $1) AS unknown`,
    [code],
  );
  return result.rows[0]?.unknown ?? false;
}

/** Whether an account has a wallet on the ledger (a user, a treasury or an organization). */
export async function walletExists(db: pg.Pool, fabricUserId: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM wallet WHERE fabric_user_id = $1', [fabricUserId]);
  return (result.rowCount ?? 0) > 0;
}
