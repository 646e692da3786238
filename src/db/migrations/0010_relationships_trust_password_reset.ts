/**
 * Relationships and trust scores (docs/trust.md), projected from the ledger's Relationship* events, and the
 * password-reset tokens of account self-service.
 *
 * `relationship` holds every relationship a user requested or was asked to confirm, in any status; a user sees
 * the rows where it is a party (both directions are indexed for that). `trust_score` holds each user's score
 * as the ledger computed it, with its capped breakdown and raw sums; a user without a row has the base score.
 *
 * `password_reset_token` keeps only a SHA-256 of each token (like refresh tokens): a database reader cannot
 * reset anyone's password. Only the API uses it.
 *
 * Expand only: new tables the previous release never touches. Grants as migration 0007 gives read models: the
 * projector writes them, the API reads them; the reset tokens are the API's alone.
 */
export const sql = /* sql */ `
CREATE TABLE relationship (
  relationship_id  text PRIMARY KEY,
  type             text        NOT NULL,
  from_user_id     text        NOT NULL,
  to_user_id       text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED', 'ENDED')),
  requested_at     timestamptz NOT NULL,
  changed_at       timestamptz NOT NULL,
  ended_by         text,
  last_block       bigint      NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relationship_from_idx ON relationship (from_user_id, requested_at DESC, relationship_id DESC);
CREATE INDEX relationship_to_idx ON relationship (to_user_id, requested_at DESC, relationship_id DESC);

CREATE TABLE trust_score (
  fabric_user_id  text PRIMARY KEY,
  score           integer     NOT NULL CHECK (score BETWEEN 0 AND 100),
  base            integer     NOT NULL,
  family          integer     NOT NULL,
  business        integer     NOT NULL,
  friends         integer     NOT NULL,
  family_sum      integer     NOT NULL,
  business_sum    integer     NOT NULL,
  friends_sum     integer     NOT NULL,
  last_block      bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE password_reset_token (
  token_hash  text PRIMARY KEY,
  profile_id  uuid        NOT NULL REFERENCES user_profile (profile_id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_token_profile_idx ON password_reset_token (profile_id);

GRANT SELECT ON relationship, trust_score TO gx_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON password_reset_token TO gx_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON relationship, trust_score TO gx_projector;
`;
