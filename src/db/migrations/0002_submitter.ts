/**
 * The submitter's liveness registry. Each running submitter registers here and holds a session-level
 * advisory lock `(SUBMITTER_LOCK_CLASS, lock_key)` on its LISTEN connection for as long as it lives. A
 * process killed outright (kill -9, OOM, lost node) drops its connection and therefore its lock at once, so
 * other replicas can tell its in-flight rows are orphaned without waiting for a lease to expire.
 */
export const sql = /* sql */ `
CREATE SEQUENCE submitter_worker_lock_key_seq AS integer CYCLE;

CREATE TABLE submitter_worker (
  worker_id   text PRIMARY KEY,
  lock_key    integer     NOT NULL DEFAULT nextval('submitter_worker_lock_key_seq'),
  hostname    text        NOT NULL,
  pid         integer     NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now()
);

-- Rows a submitter holds (claimed, or submitted and awaiting commit): recovery looks them up by holder.
CREATE INDEX outbox_command_held_idx ON outbox_command (locked_by)
  WHERE next_attempt_at IS NULL AND status IN ('PENDING', 'SUBMITTED');
`;
