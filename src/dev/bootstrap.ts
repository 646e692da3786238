/**
 * First-start bootstrap of a development system: the ledger's system parameters, enqueued once as an
 * ordinary BOOTSTRAP_SYSTEM command (so it takes the same path as any admin's bootstrap).
 */
import type pg from 'pg';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/index.js';
import { enqueueCommand } from '../outbox/enqueue.js';
import { findCommand, findFirstCommandOfType } from '../outbox/status.js';

/** Fixed request id: the outbox's unique (tenant, request id) makes a second enqueue impossible. */
export const DEV_BOOTSTRAP_REQUEST_ID = 'gx-dev-bootstrap';

/**
 * Enqueues the bootstrap unless a bootstrap command exists already, then waits until that command is final,
 * so that `gx dev` announces itself only once genesis and transfers can work.
 * Returns the bootstrap command's final status and error.
 */
export async function bootstrapDevSystem(
  pool: pg.Pool,
  timeoutMs = 60_000,
): Promise<{ commandId: string; status: string; error: string | null }> {
  const commandId =
    (await findFirstCommandOfType(pool, 'BOOTSTRAP_SYSTEM')) ??
    (
      await enqueueCommand(pool, {
        commandType: 'BOOTSTRAP_SYSTEM',
        payload: { params: DEFAULT_SYSTEM_PARAMS },
        requestId: DEV_BOOTSTRAP_REQUEST_ID,
        submittedBy: 'gx-dev',
      })
    ).commandId;
  const deadline = Date.now() + timeoutMs;
  // Start-up only, once: a short poll is simpler here than a LISTEN connection.
  for (;;) {
    const command = await findCommand(pool, commandId);
    if (command && (command.status === 'COMMITTED' || (command.status === 'FAILED' && !command.retrying))) {
      return { commandId, status: command.status, error: command.error };
    }
    if (Date.now() > deadline) throw new Error(`the system bootstrap (command ${commandId}) did not finish in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
