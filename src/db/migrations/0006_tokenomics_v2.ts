/**
 * Tokenomics v2 (docs/domain.md, docs/tokenomics.md) and the roles and four-eyes approvals that govern it.
 *
 * - Roles `auditor` and `super_admin` beside `user` and `admin` (a widened CHECK).
 * - `user_profile.profile_digest`: the digest the ledger knows a profile by (`profileDigest` of the chaincode
 *   package: hex SHA-256 of `gx-profile:<profile id>`), set by a trigger so that every row has it, whichever
 *   release inserted it, and AdminAppointed/AdminRevoked find their profile through an index. A trigger and
 *   a plain column, not a generated one: the previous release's `gx projector rebuild` copies profiles with
 *   `INSERT … SELECT *`, which a generated column refuses. Existing rows are filled once (one UPDATE).
 * - `approval_request`: four-eyes requests. EXPIRED is not stored: a PENDING row past `expires_at` reads as
 *   EXPIRED (the code computes it), so nothing has to sweep.
 * - Read models of tokenomics v2, written by the projector: `system_pool` (cap, minted, balance per pool),
 *   `country` (share, treasury) with `country_phase` (slots and used per phase), `system_parameter` (the
 *   governable parameters by name: the fee cells), `wallet_freeze` (a wallet's freeze and its reason), and
 *   `transaction_history` gains the fee, its rate, the transfer type and scope (NULL on rows of older events).
 * - `transaction_approval` is dropped: no release ever read or wrote it (the approvals it was drafted for are
 *   `approval_request`).
 *
 * Expand only: the previous release reads and writes none of what changed. Its code treats the role as
 * `user | admin`, so during a rollout an old API pod refuses the tokens of `super_admin` and `auditor` accounts
 * (401, "no longer matches an account"); every other account is served as before.
 */
export const sql = /* sql */ `
ALTER TABLE user_profile DROP CONSTRAINT user_profile_role_check;
ALTER TABLE user_profile ADD CONSTRAINT user_profile_role_check
  CHECK (role IN ('user', 'auditor', 'admin', 'super_admin'));
-- text::bytea reads the text as bytea input; it holds no backslash (a prefix and a UUID's canonical form).
ALTER TABLE user_profile ADD COLUMN profile_digest text;
CREATE FUNCTION user_profile_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.profile_digest := encode(sha256(('gx-profile:' || NEW.profile_id::text)::bytea), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER user_profile_digest BEFORE INSERT OR UPDATE OF profile_id, profile_digest ON user_profile
  FOR EACH ROW EXECUTE FUNCTION user_profile_digest();
UPDATE user_profile SET profile_digest = NULL;
CREATE UNIQUE INDEX user_profile_digest_idx ON user_profile (profile_digest);

DROP TABLE transaction_approval;

CREATE TABLE approval_request (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  action           text        NOT NULL
                   CHECK (action IN ('PAUSE_SYSTEM', 'RESUME_SYSTEM', 'APPOINT_ADMIN', 'REVOKE_ADMIN', 'ACTIVATE_TREASURY',
                                     'SET_PARAMETER')),
  payload          jsonb       NOT NULL,
  requested_by     uuid        NOT NULL REFERENCES user_profile (profile_id),
  status           text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
  expires_at       timestamptz NOT NULL,
  decided_by       uuid REFERENCES user_profile (profile_id),
  decided_at       timestamptz,
  decision_reason  text,
  command_id       uuid REFERENCES outbox_command (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'PENDING') = (decided_at IS NULL))
);
-- The list: newest first, optionally by stored status.
CREATE INDEX approval_request_created_idx ON approval_request (created_at DESC, id DESC);
CREATE INDEX approval_request_status_idx ON approval_request (status, created_at DESC, id DESC);

CREATE TABLE system_pool (
  pool          text PRIMARY KEY,
  account_id    text           NOT NULL,
  cap           numeric(78, 0) NOT NULL CHECK (cap >= 0),
  minted        numeric(78, 0) NOT NULL DEFAULT 0 CHECK (minted >= 0),
  balance       numeric(78, 0) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  block_number  bigint,
  updated_at    timestamptz    NOT NULL DEFAULT now()
);

CREATE TABLE country (
  code             text PRIMARY KEY,
  share_ppb        bigint      NOT NULL CHECK (share_ppb >= 0),
  treasury_id      text        NOT NULL UNIQUE,
  treasury_status  text        NOT NULL CHECK (treasury_status IN ('LOCKED', 'ACTIVE')),
  block_number     bigint,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE country_phase (
  code          text        NOT NULL,
  phase         integer     NOT NULL CHECK (phase > 0),
  slots         bigint      NOT NULL CHECK (slots >= 0),
  used          bigint      NOT NULL DEFAULT 0 CHECK (used >= 0),
  block_number  bigint,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, phase)
);

CREATE TABLE system_parameter (
  name          text PRIMARY KEY,
  value         jsonb       NOT NULL,
  block_number  bigint,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallet_freeze (
  fabric_user_id  text PRIMARY KEY,
  frozen          boolean     NOT NULL,
  reason          text        NOT NULL,
  notes           text        NOT NULL,
  block_number    bigint,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE transaction_history
  ADD COLUMN fee numeric(78, 0),
  ADD COLUMN fee_bps integer,
  ADD COLUMN transfer_type text,
  ADD COLUMN scope text;
`;
