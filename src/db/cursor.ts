/**
 * Opaque cursors for keyset pagination: the position of the last item of a page, base64url-encoded JSON.
 * Keyset (not offset) pagination stays fast on deep pages and does not skip rows inserted meanwhile.
 */

/** Encodes a position; `undefined` when there is no next page. */
export function encodeCursor(position: readonly (string | number)[] | undefined): string | null {
  return position === undefined ? null : Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Raised for a cursor this API did not issue. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API issued');
    this.name = 'InvalidCursorError';
  }
}

/** Decodes a cursor into `arity` strings; throws {@link InvalidCursorError} for anything else. */
export function decodeCursor(cursor: string | undefined, arity: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === arity &&
      value.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return value.map(String);
    }
  } catch {
    // fall through: not a cursor of ours
  }
  throw new InvalidCursorError();
}

/** A page of items and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The page of a keyset query that asked for `limit + 1` rows: the extra row only says that a next page
 * exists, whose cursor is the position of this page's last row.
 */
export function keysetPage<Row, T>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => T,
  positionOf: (row: Row) => readonly (string | number)[],
): Page<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}
