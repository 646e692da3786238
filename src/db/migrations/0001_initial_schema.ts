/**
 * The whole system's schema as first designed. Later migrations add to it; this file never changes once
 * released (the migrator refuses a database whose applied checksum differs).
 */
export const sql = /* sql */ `
-- Write side: the transactional outbox. Command types live in code (src/commands), so this is text.
CREATE TABLE outbox_command (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        text        NOT NULL DEFAULT 'default',
  command_type     text        NOT NULL,
  request_id       text        NOT NULL,
  payload          jsonb       NOT NULL,
  status           text        NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'SUBMITTED', 'COMMITTED', 'FAILED')),
  attempts         integer     NOT NULL DEFAULT 0,
  -- When the row may next be claimed; NULL = nothing scheduled (in flight, committed or dead-lettered).
  next_attempt_at  timestamptz DEFAULT now(),
  locked_by        text,
  locked_at        timestamptz,
  fabric_tx_id     text,
  signed_tx        bytea,
  block_number     bigint,
  validation_code  integer,
  error            text,
  error_kind       text CHECK (error_kind IN ('PERMANENT', 'TRANSIENT')),
  submitted_by     text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  committed_at     timestamptz,
  projected_at     timestamptz,
  discarded_at     timestamptz,
  discarded_by     text,
  CONSTRAINT outbox_command_request_unique UNIQUE (tenant_id, request_id)
);
-- The submitter's claim scans only schedulable rows, oldest due first.
CREATE INDEX outbox_command_due_idx ON outbox_command (next_attempt_at)
  WHERE status IN ('PENDING', 'FAILED') AND next_attempt_at IS NOT NULL;
-- Crash recovery: rows some submitter took and did not finish.
CREATE INDEX outbox_command_in_flight_idx ON outbox_command (locked_at) WHERE status = 'SUBMITTED';
CREATE UNIQUE INDEX outbox_command_fabric_tx_idx ON outbox_command (fabric_tx_id) WHERE fabric_tx_id IS NOT NULL;
CREATE INDEX outbox_command_status_created_idx ON outbox_command (status, created_at, id);
CREATE INDEX outbox_command_submitted_by_idx ON outbox_command (submitted_by, created_at, id);

-- One notification per inserting statement wakes the submitters, however the row was written.
CREATE FUNCTION outbox_command_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_command', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_command_inserted AFTER INSERT ON outbox_command
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_command_notify();

-- Read side: where each projection has got to in the ledger's event stream.
CREATE TABLE projector_state (
  name              text PRIMARY KEY,
  last_block        bigint,
  last_tx_id        text,
  last_event_index  integer,
  -- The ledger's height as last seen by the active projector, and when it last applied a block:
  -- together they give projection lag (blocks and ms) to /readyz and /admin/system without a ledger call.
  ledger_height     bigint,
  last_applied_at   timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Events that failed validation: kept for inspection, skipped by the projector.
CREATE TABLE projector_rejected_event (
  id            bigserial PRIMARY KEY,
  projection    text        NOT NULL,
  block_number  bigint      NOT NULL,
  tx_id         text        NOT NULL,
  event_name    text        NOT NULL,
  payload       bytea       NOT NULL,
  reason        text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (projection, tx_id)
);

-- Identity: off-chain profile, credentials and the on-chain registration as projected.
CREATE TABLE user_profile (
  profile_id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id                 text        NOT NULL DEFAULT 'default',
  email                     text        NOT NULL,
  password_hash             text        NOT NULL,
  role                      text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  first_name                text        NOT NULL,
  last_name                 text        NOT NULL,
  phone_num                 text,
  nationality_country_code  char(2),
  date_of_birth             date,
  gender                    text,
  status                    text        NOT NULL DEFAULT 'REGISTERED'
                            CHECK (status IN ('REGISTERED', 'APPROVED', 'DENIED')),
  onchain_status            text        NOT NULL DEFAULT 'NOT_REGISTERED'
                            CHECK (onchain_status IN ('NOT_REGISTERED', 'PENDING', 'REGISTERED', 'FAILED')),
  fabric_user_id            text UNIQUE,
  is_locked                 boolean     NOT NULL DEFAULT false,
  lock_reason               text,
  locked_by                 text,
  locked_at                 timestamptz,
  lock_notes                text,
  reviewed_by               text,
  reviewed_at               timestamptz,
  denial_reason             text,
  failed_login_count        integer     NOT NULL DEFAULT 0,
  last_failed_login_at      timestamptz,
  onchain_registered_at     timestamptz,
  last_synced_at            timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX user_profile_email_idx ON user_profile (tenant_id, lower(email));
CREATE INDEX user_profile_status_created_idx ON user_profile (status, created_at, profile_id);

CREATE TABLE refresh_token (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id   uuid        NOT NULL REFERENCES user_profile (profile_id) ON DELETE CASCADE,
  family_id    uuid        NOT NULL,
  token_hash   text        NOT NULL UNIQUE,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  rotated_at   timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);
CREATE INDEX refresh_token_profile_idx ON refresh_token (profile_id);

-- KYC personal data is encrypted by the application (key id kept so keys can rotate).
CREATE TABLE kyc_verification (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id                uuid        NOT NULL REFERENCES user_profile (profile_id) ON DELETE CASCADE,
  status                    text        NOT NULL DEFAULT 'SUBMITTED'
                            CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED')),
  document_type             text        NOT NULL,
  document_number_encrypted bytea       NOT NULL,
  document_country          char(2)     NOT NULL,
  encryption_key_id         text        NOT NULL,
  submitted_at              timestamptz NOT NULL DEFAULT now(),
  reviewed_at               timestamptz,
  reviewed_by               text
);
CREATE INDEX kyc_verification_profile_idx ON kyc_verification (profile_id, submitted_at DESC);

-- Tokens read models. Amounts are whole smallest units; numeric(78,0) holds any 256-bit integer.
CREATE TABLE wallet (
  fabric_user_id  text PRIMARY KEY,
  profile_id      uuid UNIQUE REFERENCES user_profile (profile_id) ON DELETE SET NULL,
  balance         numeric(78, 0) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  last_block      bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE transaction_history (
  id              bigserial PRIMARY KEY,
  fabric_user_id  text           NOT NULL,
  tx_id           text           NOT NULL,
  type            text           NOT NULL,
  from_user_id    text,
  to_user_id      text,
  amount          numeric(78, 0) NOT NULL,
  memo            text,
  block_number    bigint         NOT NULL,
  tx_timestamp    timestamptz    NOT NULL,
  created_at      timestamptz    NOT NULL DEFAULT now(),
  -- A replayed event can never add a second row for the same party.
  CONSTRAINT transaction_history_tx_party_unique UNIQUE (tx_id, fabric_user_id)
);
CREATE INDEX transaction_history_owner_idx ON transaction_history (fabric_user_id, block_number DESC, id DESC);

-- System parameters as bootstrapped on the ledger.
CREATE TABLE system_state (
  key           text PRIMARY KEY,
  value         jsonb       NOT NULL,
  block_number  bigint,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Administrative actions that need a second admin's approval before their command is enqueued.
CREATE TABLE transaction_approval (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  command_type  text        NOT NULL,
  payload       jsonb       NOT NULL,
  requested_by  uuid        NOT NULL REFERENCES user_profile (profile_id),
  status        text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
  decided_by    uuid REFERENCES user_profile (profile_id),
  decided_at    timestamptz,
  command_id    uuid REFERENCES outbox_command (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transaction_approval_status_idx ON transaction_approval (status, created_at);

-- Idempotency-Key: the first answer to a (principal, key), replayed for the same request.
CREATE TABLE idempotency_key (
  principal        text        NOT NULL,
  key              text        NOT NULL,
  request_hash     text        NOT NULL,
  response_status  integer     NOT NULL,
  response_body    jsonb       NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_key_expires_idx ON idempotency_key (expires_at);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  actor_id     text        NOT NULL,
  actor_role   text        NOT NULL,
  action       text        NOT NULL,
  target_type  text,
  target_id    text,
  request_id   text,
  details      jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);
`;
