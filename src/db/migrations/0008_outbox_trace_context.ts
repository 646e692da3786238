/**
 * The W3C trace context (`{"traceparent": …, "tracestate": …}`) of the request that wrote a command, so the
 * submitter's Fabric calls and the projector's read-model write join that request's trace
 * (src/observability/tracing.ts). NULL when tracing is off, and on rows written by earlier releases.
 *
 * Expand only: a nullable column that the previous release neither reads nor writes (its INSERTs name their
 * columns). A deployment that grants column privileges on outbox_command must grant the API's role INSERT on
 * it, and the submitter's and projector's roles SELECT.
 */
export const sql = /* sql */ `
ALTER TABLE outbox_command ADD COLUMN trace_context jsonb;
`;
