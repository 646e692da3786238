/**
 * Least-privilege database roles (issue 29): one NOLOGIN group role per process, each granted only what its
 * code does. The migrate role is the database owner that runs `gx migrate` (CloudNativePG's `gx`): it owns
 * every object and is the only one that may change or empty `audit_log`, which is append-only for the others.
 *
 * The group roles are cluster-wide; the login users (one per process, the deployer's, with their own secrets)
 * are members of them (deploy/k8s/postgres/cnpg-cluster.yaml `managed.roles`, README "Database roles"). A role
 * that already exists (declared by the operator, or created by an earlier database on the same server) is
 * kept; creating one needs CREATEROLE, which a managed database's owner usually lacks, so then it must be
 * declared beforehand (the error says so).
 *
 * Later migrations that add a table grant on it in the same migration (src/db/migrations/index.ts).
 *
 * Expand only: the previous release connects as the owner and keeps every privilege it had; the new indexes
 * are invisible to it.
 */
export const sql = /* sql */ `
DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['gx_api', 'gx_submitter', 'gx_projector'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
      EXCEPTION
        -- Another database on the same server created it at the same moment (parallel migrations).
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'database role % does not exist and % may not create it', role_name, current_user
            USING HINT = 'declare the NOLOGIN roles gx_api, gx_submitter, gx_projector first (CloudNativePG managed.roles, README "Database roles"), or run gx migrate as a user with CREATEROLE';
      END;
    END IF;
  END LOOP;
END $$;

-- Nothing is created in public by anyone but the owner (PostgreSQL 15 and later already say so).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO gx_api, gx_submitter, gx_projector;

-- Every role checks the schema level and reports projection lag in /readyz.
GRANT SELECT ON schema_migration, projector_state TO gx_api, gx_submitter, gx_projector;

-- api: profiles, credentials, KYC, commands it enqueues (and admins retry or discard), idempotency keys, the
-- audit log (append-only), and the read models it serves. It purges expired refresh tokens and keys.
GRANT SELECT, INSERT, UPDATE ON user_profile, kyc_verification, outbox_command, approval_request TO gx_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_token, idempotency_key TO gx_api;
GRANT SELECT, INSERT ON audit_log TO gx_api;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO gx_api;
GRANT SELECT ON wallet, transaction_history, system_state, system_pool, country, country_phase, system_parameter,
  wallet_freeze TO gx_api;

-- submitter: claims, signs and records outcomes of commands; registers itself while it lives.
GRANT SELECT, UPDATE ON outbox_command TO gx_submitter;
GRANT SELECT, INSERT, UPDATE, DELETE ON submitter_worker TO gx_submitter;
GRANT USAGE ON SEQUENCE submitter_worker_lock_key_seq TO gx_submitter;

-- projector: owns the read models and its checkpoint; on profiles, reads and writes only the on-chain columns
-- and the role the on-chain admin registry sets (never emails, password hashes or personal data); on the outbox, reads the commands that prove a change was
-- asked for and marks them projected.
GRANT SELECT, INSERT, UPDATE, DELETE ON wallet, transaction_history, system_state, system_pool, country, country_phase,
  system_parameter, wallet_freeze TO gx_projector;
GRANT INSERT, UPDATE ON projector_state TO gx_projector;
GRANT SELECT, INSERT ON projector_rejected_event TO gx_projector;
GRANT USAGE ON SEQUENCE transaction_history_id_seq, projector_rejected_event_id_seq TO gx_projector;
GRANT SELECT (profile_id, profile_digest, role, tenant_id, status, onchain_status, fabric_user_id, is_locked, lock_reason, locked_by,
              locked_at, onchain_registered_at, last_synced_at, updated_at)
  ON user_profile TO gx_projector;
-- role: the on-chain admin registry, applied only for an APPOINT_ADMIN/REVOKE_ADMIN command of this backend
-- (capabilities/admin/projection.ts).
GRANT UPDATE (fabric_user_id, onchain_status, onchain_registered_at, is_locked, lock_reason, locked_at, role,
              last_synced_at, updated_at)
  ON user_profile TO gx_projector;
GRANT SELECT (id, request_id, command_type, payload, projected_at) ON outbox_command TO gx_projector;
GRANT UPDATE (projected_at, updated_at) ON outbox_command TO gx_projector;
-- The API purges expired refresh tokens every GX_PURGE_INTERVAL_MS (idempotency keys have their index).
CREATE INDEX refresh_token_expires_idx ON refresh_token (expires_at);

DO $$
BEGIN
  -- \`gx projector rebuild\` builds fresh read models in a schema of its own (src/projector/rebuild.ts).
  EXECUTE format('GRANT CREATE ON DATABASE %I TO gx_projector', current_database());
END $$;
`;
