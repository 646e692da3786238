/**
 * The W3C trace context (`{"traceparent": …, "tracestate": …}`) of the request that wrote a command, so the
 * submitter's Fabric calls and the projector's read-model write join that request's trace
 * (src/observability/tracing.ts). NULL when tracing is off, and on rows written by earlier releases.
 *
 * Expand only: a nullable column that the previous release neither reads nor writes (its INSERTs name their
 * columns). The API and the submitter hold table privileges on outbox_command (migration 0007), which cover the
 * new column; the projector holds column privileges, so it is granted SELECT on this one.
 */
export const sql = /* sql */ `
ALTER TABLE outbox_command ADD COLUMN trace_context jsonb;
GRANT SELECT (trace_context) ON outbox_command TO gx_projector;
`;
