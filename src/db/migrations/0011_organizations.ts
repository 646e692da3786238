/**
 * Organizations and multi-signature payment requests (docs/organizations.md), projected from the ledger's
 * Organization* and Payment* events.
 *
 * `organization` holds each organization as the ledger last reported it, its approval rules as the ledger's
 * list (jsonb: the rules are always replaced whole); `organization_stakeholder` one row per stakeholder with
 * the time it endorsed (null until it does). `organization_payment` holds each payment request with the rule
 * fixed at its initiation; `organization_payment_approval` each approval. An organization's transaction
 * history is `transaction_history` under its account's Fabric id, as any account's.
 *
 * Expand only: new tables the previous release never touches. Grants as migration 0007 gives read models: the
 * projector writes them, the API reads them.
 */
export const sql = /* sql */ `
CREATE TABLE organization (
  org_id          text PRIMARY KEY,
  name            text        NOT NULL,
  type            text        NOT NULL CHECK (type IN ('BUSINESS', 'NON_PROFIT', 'GOVERNMENT')),
  country_code    text        NOT NULL,
  proposer        text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('PENDING', 'VERIFIED')),
  fabric_user_id  text UNIQUE,
  rules           jsonb       NOT NULL,
  created_at      timestamptz NOT NULL,
  changed_at      timestamptz NOT NULL,
  last_block      bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organization_stakeholder (
  org_id          text        NOT NULL,
  fabric_user_id  text        NOT NULL,
  endorsed_at     timestamptz,
  last_block      bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, fabric_user_id)
);
CREATE INDEX organization_stakeholder_user_idx ON organization_stakeholder (fabric_user_id);

CREATE TABLE organization_payment (
  payment_id          text PRIMARY KEY,
  org_id              text        NOT NULL,
  from_account        text        NOT NULL,
  to_user_id          text        NOT NULL,
  amount              numeric(78, 0) NOT NULL,
  memo                text        NOT NULL,
  initiator           text        NOT NULL,
  rule                jsonb       NOT NULL,
  required_approvals  integer     NOT NULL,
  status              text        NOT NULL CHECK (status IN ('PENDING', 'EXECUTED', 'REJECTED', 'EXPIRED', 'FAILED')),
  failure_code        text,
  failure_message     text,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  changed_at          timestamptz NOT NULL,
  last_block          bigint      NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organization_payment_org_idx ON organization_payment (org_id, created_at DESC, payment_id DESC);

CREATE TABLE organization_payment_approval (
  payment_id   text        NOT NULL,
  approver     text        NOT NULL,
  approved_at  timestamptz NOT NULL,
  last_block   bigint      NOT NULL,
  PRIMARY KEY (payment_id, approver)
);

GRANT SELECT ON organization, organization_stakeholder, organization_payment, organization_payment_approval
  TO gx_api;
GRANT SELECT, INSERT, UPDATE, DELETE
  ON organization, organization_stakeholder, organization_payment, organization_payment_approval
  TO gx_projector;
`;
