/**
 * Writing commands into the outbox: the only way a command enters the system. Callers pass their own
 * transaction client so the row commits together with any off-chain change (the transactional outbox).
 */
import type pg from 'pg';
import { type CommandPayload, type CommandType, validateCommand } from '../commands/catalogue.js';
import { currentTraceCarrier, type TraceCarrier } from '../observability/tracing.js';

export interface NewCommand<T extends CommandType> {
  commandType: T;
  payload: CommandPayload<T>;
  /** Unique per tenant; the chaincode's idempotency key. Defaults to the command id. */
  requestId?: string;
  tenantId?: string;
  /** Who asked: a profile id, or a service name. */
  submittedBy: string;
}

export interface EnqueuedCommand {
  commandId: string;
  requestId: string;
  status: 'PENDING';
  createdAt: Date;
}

/**
 * Validates the payload with the catalogue (throws CommandValidationError naming each bad field, writing
 * nothing) and inserts one PENDING row, with the active trace context when tracing is on (`trace`: the
 * context captured where the command was asked for, when that was elsewhere). The insert trigger wakes the
 * submitters.
 */
export async function enqueueCommand<T extends CommandType>(
  client: pg.ClientBase | pg.Pool,
  command: NewCommand<T>,
  trace: TraceCarrier | undefined = currentTraceCarrier(),
): Promise<EnqueuedCommand> {
  const payload = validateCommand(command.commandType, command.payload);
  const result = await client.query<{ id: string; request_id: string; created_at: Date }>(
    `INSERT INTO outbox_command (id, tenant_id, command_type, request_id, payload, submitted_by, trace_context)
     VALUES (gen_random_uuid(), $1, $2, COALESCE($3, gen_random_uuid()::text), $4, $5, $6)
     RETURNING id, request_id, created_at`,
    [
      command.tenantId ?? 'default',
      command.commandType,
      command.requestId ?? null,
      payload,
      command.submittedBy,
      trace ?? null,
    ],
  );
  const row = result.rows[0];
  if (!row) throw new Error('INSERT … RETURNING gave no row');
  return { commandId: row.id, requestId: row.request_id, status: 'PENDING', createdAt: row.created_at };
}
