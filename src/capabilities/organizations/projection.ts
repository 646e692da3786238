/**
 * The organizations slice's projection (docs/organizations.md): each organization, its stakeholders with
 * their endorsements, each payment request with its approvals, as the ledger last reported them. An executed
 * payment moves balances and writes history exactly as a transfer does: its handler hands the transfer to the
 * tokens slice's own handlers, so there is one way to project a movement.
 */
import type { EventPayload } from '@gx/chaincode';
import { defineReadModel, type EventHandler, jsonRows } from '../../projector/projection.js';
import { transferCompleted, wallets } from '../tokens/projection.js';
import { feeCollected } from '../tokens/supply-projection.js';

type OrganizationRecord = EventPayload<'OrganizationProposed'>['organization'];
type PaymentRecord = EventPayload<'PaymentApproved'>['payment'];

interface OrganizationChange extends OrganizationRecord {
  lastBlock: bigint;
}
interface StakeholderChange {
  orgId: string;
  fabricUserId: string;
  endorsedAt: string | null;
  lastBlock: bigint;
}
interface PaymentChange extends PaymentRecord {
  lastBlock: bigint;
}
interface ApprovalChange {
  paymentId: string;
  approver: string;
  approvedAt: string;
  lastBlock: bigint;
}

/** `organization`: the last state of each organization in a batch wins. */
export const organizations = defineReadModel<OrganizationChange>({
  name: 'organizations',
  ownedTable: {
    name: 'organization',
    key: ['org_id'],
    values: [
      'name',
      'type',
      'country_code',
      'proposer',
      'status',
      'fabric_user_id',
      'rules',
      'created_at',
      'changed_at',
      'last_block',
    ],
    updatedAt: true,
  },
  key: (change) => change.orgId,
  async write(client, changes) {
    await client.query(
      `INSERT INTO organization (org_id, name, type, country_code, proposer, status, fabric_user_id, rules,
                                 created_at, changed_at, last_block)
       SELECT r."orgId", r.name, r.type, r."countryCode", r.proposer, r.status, r."fabricUserId", r.rules,
              r."createdAt", r."updatedAt", r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb) AS r("orgId" text, name text, type text, "countryCode" text,
              proposer text, status text, "fabricUserId" text, rules jsonb, "createdAt" timestamptz,
              "updatedAt" timestamptz, "lastBlock" bigint)
       ON CONFLICT (org_id) DO UPDATE
          SET status = EXCLUDED.status, fabric_user_id = EXCLUDED.fabric_user_id, rules = EXCLUDED.rules,
              changed_at = EXCLUDED.changed_at, last_block = EXCLUDED.last_block, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

/** `organization_stakeholder`: one row per stakeholder; its endorsement time once it endorsed. */
export const organizationStakeholders = defineReadModel<StakeholderChange>({
  name: 'organization stakeholders',
  ownedTable: {
    name: 'organization_stakeholder',
    key: ['org_id', 'fabric_user_id'],
    values: ['endorsed_at', 'last_block'],
    updatedAt: true,
  },
  key: (change) => `${change.orgId}/${change.fabricUserId}`,
  async write(client, changes) {
    await client.query(
      `INSERT INTO organization_stakeholder (org_id, fabric_user_id, endorsed_at, last_block)
       SELECT r."orgId", r."fabricUserId", r."endorsedAt", r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb)
              AS r("orgId" text, "fabricUserId" text, "endorsedAt" timestamptz, "lastBlock" bigint)
       ON CONFLICT (org_id, fabric_user_id) DO UPDATE
          SET endorsed_at = EXCLUDED.endorsed_at, last_block = EXCLUDED.last_block, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

/** `organization_payment`: the last state of each request in a batch wins. */
export const organizationPayments = defineReadModel<PaymentChange>({
  name: 'organization payments',
  ownedTable: {
    name: 'organization_payment',
    key: ['payment_id'],
    values: [
      'org_id',
      'from_account',
      'to_user_id',
      'amount',
      'memo',
      'initiator',
      'rule',
      'required_approvals',
      'status',
      'failure_code',
      'failure_message',
      'created_at',
      'expires_at',
      'changed_at',
      'last_block',
    ],
    updatedAt: true,
  },
  key: (change) => change.paymentId,
  async write(client, changes) {
    await client.query(
      `INSERT INTO organization_payment (payment_id, org_id, from_account, to_user_id, amount, memo, initiator, rule,
                                         required_approvals, status, failure_code, failure_message, created_at,
                                         expires_at, changed_at, last_block)
       SELECT r."paymentId", r."orgId", r."from", r."to", r.amount, r.memo, r.initiator, r.rule,
              (r.rule ->> 'requiredApprovals')::integer, r.status, r.failure ->> 'code', r.failure ->> 'message',
              r."createdAt", r."expiresAt", r."updatedAt", r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb) AS r("paymentId" text, "orgId" text, "from" text, "to" text,
              amount numeric, memo text, initiator text, rule jsonb, status text, failure jsonb,
              "createdAt" timestamptz, "expiresAt" timestamptz, "updatedAt" timestamptz, "lastBlock" bigint)
       ON CONFLICT (payment_id) DO UPDATE
          SET status = EXCLUDED.status, failure_code = EXCLUDED.failure_code,
              failure_message = EXCLUDED.failure_message, changed_at = EXCLUDED.changed_at,
              last_block = EXCLUDED.last_block, updated_at = now()`,
      [jsonRows(changes)],
    );
  },
});

/** `organization_payment_approval`: approvals are never withdrawn, so a replay is a no-op. */
export const organizationPaymentApprovals = defineReadModel<ApprovalChange>({
  name: 'organization payment approvals',
  ownedTable: {
    name: 'organization_payment_approval',
    key: ['payment_id', 'approver'],
    values: ['approved_at', 'last_block'],
    updatedAt: false,
  },
  key: (change) => `${change.paymentId}/${change.approver}`,
  async write(client, changes) {
    await client.query(
      `INSERT INTO organization_payment_approval (payment_id, approver, approved_at, last_block)
       SELECT r."paymentId", r.approver, r."approvedAt", r."lastBlock"
         FROM jsonb_to_recordset($1::jsonb)
              AS r("paymentId" text, approver text, "approvedAt" timestamptz, "lastBlock" bigint)
       ON CONFLICT (payment_id, approver) DO NOTHING`,
      [jsonRows(changes)],
    );
  },
});

type OrganizationEvent = 'OrganizationProposed' | 'OrganizationEndorsed' | 'ApprovalRulesSet';
type PaymentEvent = 'PaymentInitiated' | 'PaymentApproved' | 'PaymentRejected' | 'PaymentExpired';

/**
 * The three organization events share one payload: the organization after the change. `verifies`: an
 * endorsement that leaves the organization VERIFIED is the one that verified it (endorsing a verified
 * organization is refused on the ledger), and it opened the organization's wallet, empty.
 */
function organizationChanged<N extends OrganizationEvent>(verifies: boolean): EventHandler<N> {
  return {
    project(payload: EventPayload<N>, context, changes) {
      const { organization } = payload;
      const lastBlock = context.blockNumber;
      changes.record(organizations, { ...organization, lastBlock });
      for (const fabricUserId of organization.stakeholders) {
        const endorsement = organization.endorsements.find((candidate) => candidate.by === fabricUserId);
        changes.record(organizationStakeholders, {
          orgId: organization.orgId,
          fabricUserId,
          endorsedAt: endorsement?.at ?? null,
          lastBlock,
        });
      }
      if (verifies && organization.status === 'VERIFIED' && organization.fabricUserId !== null) {
        changes.record(wallets, { fabricUserId: organization.fabricUserId, balance: '0', lastBlock });
      }
    },
  };
}

/** The four payment events share one payload: the request after the change and, if it executed, the transfer. */
function paymentChanged<N extends PaymentEvent>(): EventHandler<N> {
  return {
    project(payload: EventPayload<N>, context, changes) {
      const { payment, transfer } = payload;
      const lastBlock = context.blockNumber;
      changes.record(organizationPayments, { ...payment, lastBlock });
      for (const approval of payment.approvals) {
        changes.record(organizationPaymentApprovals, {
          paymentId: payment.paymentId,
          approver: approval.by,
          approvedAt: approval.at,
          lastBlock,
        });
      }
      if (transfer !== null) {
        const movement = {
          version: 2 as const,
          requestId: payload.requestId,
          timestamp: payload.timestamp,
          ...transfer,
        };
        transferCompleted.project(movement, context, changes);
        feeCollected.project(movement, context, changes);
      }
    },
  };
}

export const organizationProposed = organizationChanged<'OrganizationProposed'>(false);
export const organizationEndorsed = organizationChanged<'OrganizationEndorsed'>(true);
export const approvalRulesSet = organizationChanged<'ApprovalRulesSet'>(false);
export const paymentInitiated = paymentChanged<'PaymentInitiated'>();
export const paymentApproved = paymentChanged<'PaymentApproved'>();
export const paymentRejected = paymentChanged<'PaymentRejected'>();
export const paymentExpired = paymentChanged<'PaymentExpired'>();
