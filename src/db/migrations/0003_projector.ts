/**
 * Projector support. The projector marks outbox rows projected by the request id carried in each event; the
 * unique (tenant_id, request_id) index leads with the tenant, which events do not carry, so without this
 * index every batch would scan the outbox.
 */
export const sql = /* sql */ `
CREATE INDEX outbox_command_request_id_idx ON outbox_command (request_id) WHERE projected_at IS NULL;
`;
