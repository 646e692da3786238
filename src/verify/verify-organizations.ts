/**
 * `gx verify`'s organization checks (docs/organizations.md): each organization's status and account, and each
 * payment request's status and approvals, as the read models hold them against the ledger. The organizations'
 * balances need nothing of their own: their wallets are rows of `wallet`, compared with every other wallet.
 */
import type { OrganizationRecord, PaymentRequestRecord } from '@gx/chaincode';
import type pg from 'pg';
import type { LedgerClient } from '../ledger/index.js';
import { mapLimited } from './map-limited.js';
import { type Drift, ledgerJson } from './verify-tokenomics.js';

export async function organizationDrift(pool: pg.Pool, ledger: LedgerClient): Promise<Drift[]> {
  const [organizations, payments] = await Promise.all([
    pool.query<{ org_id: string; status: string; fabric_user_id: string | null; has_wallet: boolean }>(
      `SELECT o.org_id, o.status, o.fabric_user_id, w.fabric_user_id IS NOT NULL AS has_wallet
         FROM organization o LEFT JOIN wallet w ON w.fabric_user_id = o.fabric_user_id
        ORDER BY o.org_id`,
    ),
    pool.query<{ payment_id: string; status: string; approvals: string[] }>(
      `SELECT p.payment_id, p.status,
              array(SELECT a.approver FROM organization_payment_approval a
                     WHERE a.payment_id = p.payment_id ORDER BY a.approver) AS approvals
         FROM organization_payment p ORDER BY p.payment_id`,
    ),
  ]);
  const drift: Drift[] = [];
  await mapLimited(organizations.rows, async (row) => {
    const onLedger = ledgerJson<OrganizationRecord>(
      await ledger.evaluate('OrganizationContract', 'GetOrganization', [row.org_id]),
    );
    const [read, held] = [
      `${row.status} ${row.fabric_user_id ?? '-'}`,
      `${onLedger.status} ${onLedger.fabricUserId ?? '-'}`,
    ];
    if (read !== held) drift.push({ kind: 'organization', subject: row.org_id, readModel: read, ledger: held });
    if (row.fabric_user_id !== null && !row.has_wallet) {
      drift.push({
        kind: 'wallet-missing',
        subject: row.fabric_user_id,
        readModel: 'no wallet row',
        ledger: 'verified',
      });
    }
  });
  await mapLimited(payments.rows, async (row) => {
    const onLedger = ledgerJson<PaymentRequestRecord>(
      await ledger.evaluate('OrganizationContract', 'GetPaymentRequest', [row.payment_id]),
    );
    const approvers = onLedger.approvals.map((approval) => approval.by).sort();
    const [read, held] = [
      `${row.status} approved by ${row.approvals.join(', ') || 'nobody'}`,
      `${onLedger.status} approved by ${approvers.join(', ') || 'nobody'}`,
    ];
    if (read !== held) drift.push({ kind: 'payment', subject: row.payment_id, readModel: read, ledger: held });
  });
  return drift;
}
