/**
 * Identity v2, part 1 (issue 19): the v2 profile status machine, KYC review and KYC document files.
 *
 * - `user_profile.account_status` is the v2 status (docs/domain.md, "Profile statuses"; the transition table is
 *   src/capabilities/identity/account-status.ts). `status_before_suspend` is where a reinstatement returns.
 *   The v1 columns (`status`, `onchain_status`) stay and are kept in step for v1 clients. Existing rows are
 *   mapped: DENIED → CLOSED; REGISTERED → the latest KYC decision (KYC_SUBMITTED/APPROVED/REJECTED) or
 *   REGISTERED; APPROVED → PENDING_ONCHAIN, ONCHAIN_FAILED, or ACTIVE (FROZEN when the wallet is frozen).
 * - `kyc_verification.rejection_reason`: why a reviewer rejected a submission.
 * - `kyc_file`: a submission's document files (kind, type sniffed from the bytes, size, SHA-256 of the
 *   plaintext, the per-file data key wrapped by the KYC key ring); `kyc_blob` is the PostgreSQL implementation
 *   of the document store (ciphertext only, by storage key).
 * - Triggers apply the arrows the ledger drives: ONCHAIN_FAILED (CREATE_USER failed for good) and back (queued
 *   again), ACTIVE (registered, as projected), FROZEN and ACTIVE (wallet freeze projected).
 *
 * Expand only: new nullable or defaulted columns and new tables. During a rollout an old API pod neither reads
 * nor keeps `account_status` in step (an approval it makes leaves the profile's v2 status behind until the next
 * transition); every v1 answer is as before.
 */
export const sql = /* sql */ `
ALTER TABLE user_profile
  ADD COLUMN account_status text NOT NULL DEFAULT 'REGISTERED'
    CHECK (account_status IN ('REGISTERED', 'KYC_SUBMITTED', 'KYC_APPROVED', 'KYC_REJECTED', 'PENDING_ONCHAIN',
                              'ACTIVE', 'FROZEN', 'SUSPENDED', 'CLOSED', 'ONCHAIN_FAILED')),
  ADD COLUMN status_before_suspend text
    CHECK (status_before_suspend IS NULL OR status_before_suspend NOT IN ('SUSPENDED', 'CLOSED'));
CREATE INDEX user_profile_account_status_idx ON user_profile (account_status, created_at, profile_id);

UPDATE user_profile p SET account_status = CASE
    WHEN p.status = 'DENIED' THEN 'CLOSED'
    WHEN p.status = 'REGISTERED' THEN COALESCE(
      (SELECT 'KYC_' || k.status FROM kyc_verification k WHERE k.profile_id = p.profile_id
        ORDER BY k.submitted_at DESC, k.id DESC LIMIT 1), 'REGISTERED')
    WHEN p.onchain_status = 'FAILED' THEN 'ONCHAIN_FAILED'
    WHEN p.onchain_status = 'REGISTERED' THEN
      CASE WHEN EXISTS (SELECT 1 FROM wallet_freeze f WHERE f.fabric_user_id = p.fabric_user_id AND f.frozen)
           THEN 'FROZEN' ELSE 'ACTIVE' END
    ELSE 'PENDING_ONCHAIN'
  END;

ALTER TABLE kyc_verification ADD COLUMN rejection_reason text;
-- The review queue: submissions by status, oldest first.
CREATE INDEX kyc_verification_status_idx ON kyc_verification (status, submitted_at, id);

CREATE TABLE kyc_blob (
  storage_key  text PRIMARY KEY,
  ciphertext   bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kyc_file (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kyc_id           uuid        NOT NULL REFERENCES kyc_verification (id) ON DELETE CASCADE,
  profile_id       uuid        NOT NULL REFERENCES user_profile (profile_id) ON DELETE CASCADE,
  kind             text        NOT NULL CHECK (kind IN ('ID_FRONT', 'ID_BACK', 'PASSPORT', 'PROOF_OF_ADDRESS')),
  content_type     text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  size_bytes       integer     NOT NULL CHECK (size_bytes > 0),
  sha256           bytea       NOT NULL CHECK (length(sha256) = 32),
  storage_key      text        NOT NULL UNIQUE,
  wrapped_data_key bytea       NOT NULL,
  encryption_key_id text       NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kyc_id, kind)
);
CREATE INDEX kyc_file_profile_idx ON kyc_file (profile_id);

-- The arrows the ledger drives (src/capabilities/identity/account-status.ts lists them as AUTOMATIC): each is a
-- trigger on the row change that proves it, so it commits atomically with that change, exactly once (only the
-- update that crosses into the new fact fires), with no code in the submitter or the projector (and a projection
-- rebuild, whose copies carry no triggers, moves profiles when its result is merged into the live tables).
-- SECURITY DEFINER: the submitter's and projector's roles may not write profiles' v2 columns or the audit log.
CREATE FUNCTION gx_account_transition(profile uuid, from_status text, to_status text, request text, why jsonb)
  RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  INSERT INTO audit_log (actor_id, actor_role, action, target_type, target_id, request_id, details)
  VALUES ('system:ledger', 'system', 'user.status', 'user_profile', profile::text, request,
          jsonb_build_object('from', from_status, 'to', to_status) || why);
$fn$;

-- PENDING_ONCHAIN → ONCHAIN_FAILED: the update that dead-letters a CREATE_USER command (the submitter's outcome
-- or an admin's discard). ONCHAIN_FAILED → PENDING_ONCHAIN: the update that queues it again (an admin's retry).
CREATE FUNCTION gx_create_user_fate() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  failed boolean := NEW.status = 'FAILED' AND NEW.next_attempt_at IS NULL;
  from_status text := CASE WHEN failed THEN 'PENDING_ONCHAIN' ELSE 'ONCHAIN_FAILED' END;
  to_status text := CASE WHEN failed THEN 'ONCHAIN_FAILED' ELSE 'PENDING_ONCHAIN' END;
  moved uuid;
BEGIN
  UPDATE user_profile
     SET account_status = to_status, onchain_status = CASE WHEN failed THEN 'FAILED' ELSE 'PENDING' END,
         updated_at = now()
   WHERE profile_id::text = NEW.payload->>'profileId' AND account_status = from_status
  RETURNING profile_id INTO moved;
  IF moved IS NOT NULL THEN
    PERFORM gx_account_transition(moved, from_status, to_status, NEW.request_id,
      jsonb_build_object('commandId', NEW.id, 'reason',
        CASE WHEN failed THEN COALESCE(NEW.error, 'CREATE_USER failed for good') ELSE 'CREATE_USER queued again' END));
  END IF;
  -- A suspended profile's remembered status follows, so reinstating returns to the present state.
  UPDATE user_profile SET status_before_suspend = to_status
   WHERE profile_id::text = NEW.payload->>'profileId' AND account_status = 'SUSPENDED'
     AND status_before_suspend = from_status;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER outbox_create_user_fate AFTER UPDATE OF status, next_attempt_at ON outbox_command
  FOR EACH ROW
  WHEN (NEW.command_type = 'CREATE_USER'
        AND ((NEW.status = 'FAILED' AND NEW.next_attempt_at IS NULL) <> (OLD.status = 'FAILED' AND OLD.next_attempt_at IS NULL))
        AND NEW.status IN ('FAILED', 'PENDING', 'SUBMITTED'))
  EXECUTE FUNCTION gx_create_user_fate();

-- PENDING_ONCHAIN → ACTIVE: the projector records the user's registration on the ledger. Also from
-- ONCHAIN_FAILED: a command recorded as failed whose transaction landed after all (its fate was unknown) is
-- registered, and the ledger is the truth.
CREATE FUNCTION gx_profile_registered() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF NEW.account_status IN ('PENDING_ONCHAIN', 'ONCHAIN_FAILED') THEN
    PERFORM gx_account_transition(NEW.profile_id, NEW.account_status, 'ACTIVE', NULL,
      jsonb_build_object('fabricUserId', NEW.fabric_user_id, 'reason', 'registered on the ledger'));
    NEW.account_status := 'ACTIVE';
  ELSIF NEW.account_status = 'SUSPENDED' AND NEW.status_before_suspend IN ('PENDING_ONCHAIN', 'ONCHAIN_FAILED') THEN
    NEW.status_before_suspend := 'ACTIVE';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER user_profile_registered BEFORE UPDATE OF onchain_status ON user_profile
  FOR EACH ROW WHEN (NEW.onchain_status = 'REGISTERED' AND OLD.onchain_status <> 'REGISTERED')
  EXECUTE FUNCTION gx_profile_registered();

-- ACTIVE ↔ FROZEN: the projector records a wallet freeze or unfreeze (a suspended profile's remembered status
-- follows too, so reinstating returns to the wallet's present state).
CREATE FUNCTION gx_wallet_freeze_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  from_status text := CASE WHEN NEW.frozen THEN 'ACTIVE' ELSE 'FROZEN' END;
  to_status text := CASE WHEN NEW.frozen THEN 'FROZEN' ELSE 'ACTIVE' END;
  moved uuid;
BEGIN
  UPDATE user_profile SET account_status = to_status, updated_at = now()
   WHERE fabric_user_id = NEW.fabric_user_id AND account_status = from_status
  RETURNING profile_id INTO moved;
  IF moved IS NOT NULL THEN
    PERFORM gx_account_transition(moved, from_status, to_status, NULL,
      jsonb_build_object('reason', NEW.reason, 'blockNumber', NEW.block_number));
  END IF;
  UPDATE user_profile SET status_before_suspend = to_status
   WHERE fabric_user_id = NEW.fabric_user_id AND account_status = 'SUSPENDED' AND status_before_suspend = from_status;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER wallet_freeze_changed AFTER INSERT OR UPDATE OF frozen ON wallet_freeze
  FOR EACH ROW EXECUTE FUNCTION gx_wallet_freeze_changed();

-- api: uploads and reviews (user_profile's new columns are covered by its table privileges of 0007). The
-- submitter and the projector need nothing: the triggers above act as the owner.
GRANT SELECT, INSERT, UPDATE ON kyc_file TO gx_api;
GRANT SELECT, INSERT, DELETE ON kyc_blob TO gx_api;
REVOKE EXECUTE ON FUNCTION gx_account_transition(uuid, text, text, text, jsonb) FROM PUBLIC;
`;
