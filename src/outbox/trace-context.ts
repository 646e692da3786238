import type pg from 'pg';
import type { TraceCarrier } from '../observability/tracing.js';

/**
 * The stored trace contexts of the commands with these request ids (tracing on: the projector parents its
 * spans on them). Commands written untraced are absent.
 */
export async function findTraceContexts(
  client: pg.ClientBase,
  requestIds: readonly string[],
): Promise<Map<string, TraceCarrier>> {
  if (requestIds.length === 0) return new Map();
  const result = await client.query<{ request_id: string; trace_context: TraceCarrier }>(
    `SELECT request_id, trace_context FROM outbox_command
      WHERE request_id = ANY($1::text[]) AND trace_context IS NOT NULL`,
    [requestIds],
  );
  return new Map(result.rows.map((row) => [row.request_id, row.trace_context]));
}
