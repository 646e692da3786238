/** A UUID in the textual form PostgreSQL's `uuid` type reads (any case): checked before a `::uuid` cast, which
 * would otherwise fail the whole statement on a value that merely names nothing. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID PostgreSQL accepts. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
