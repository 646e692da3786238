/**
 * The chaincode's error codes. Every rejection is thrown as `new Error('GX_<CODE>: message')`: Fabric only
 * carries the message string back to the client (wrapped, e.g. `chaincode response 500, GX_NOT_FOUND: ...`),
 * so the code rides at the start of the message where {@link errorCodeOf} can find it again.
 */

/** Every code the chaincode throws. All of them are permanent: retrying the same call gives the same answer. */
export const errorCodes = [
  'GX_INVALID_ARGUMENT',
  'GX_NOT_FOUND',
  'GX_ALREADY_EXISTS',
  'GX_INSUFFICIENT_FUNDS',
  'GX_ACCOUNT_LOCKED',
  'GX_FORBIDDEN',
  'GX_NOT_BOOTSTRAPPED',
  'GX_ALREADY_BOOTSTRAPPED',
  'GX_REQUEST_ID_REUSED',
  /** A value movement while the system is paused. */
  'GX_SYSTEM_PAUSED',
  /** A frozen sender or recipient. */
  'GX_ACCOUNT_FROZEN',
  /** A treasury spending before an admin activated it. */
  'GX_TREASURY_LOCKED',
  /** A mint past a pool's cap or the maximum supply. */
  'GX_CAP_EXCEEDED',
  /** A relationship request naming the requester as the other party. */
  'GX_RELATIONSHIP_WITH_SELF',
  /** An active (pending or confirmed) relationship of the type already joins the pair. */
  'GX_RELATIONSHIP_EXISTS',
  /** The acting user is not the party the rule allows (confirm/reject: the other party; end: either). */
  'GX_NOT_A_PARTY',
  /** The relationship's status does not allow the function (confirming a confirmed one, ending an ended one). */
  'GX_RELATIONSHIP_STATE',
  /** The acting user is not a stakeholder of the organization (docs/organizations.md). */
  'GX_NOT_A_STAKEHOLDER',
  /** The stakeholder has already endorsed the organization (the proposer by proposing). */
  'GX_ALREADY_ENDORSED',
  /** The organization's status does not allow the function (rules or payments before it is VERIFIED). */
  'GX_ORGANIZATION_STATE',
  /** Approving or rejecting a payment request by a user who is not an approver of its rule. */
  'GX_NOT_AN_APPROVER',
  /** The approver has already approved the payment request. */
  'GX_ALREADY_APPROVED',
  /** The payment request is no longer PENDING. */
  'GX_PAYMENT_STATE',
  /** Expiring a payment request before its expiresAt (the scheduler acted on a clock ahead of the ledger's). */
  'GX_PAYMENT_NOT_EXPIRED',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Builds the error the chaincode throws: its message is `<code>: <message>`. */
export function gxError(code: ErrorCode, message: string): Error {
  return new Error(`${code}: ${message}`);
}

const codePattern = /\b(GX_[A-Z_]+):/;

/**
 * The chaincode error code inside a message, wherever the transport put it (a gateway error message or an
 * endorsement detail such as `chaincode response 500, GX_NOT_FOUND: user ...`); `undefined` if there is none.
 */
export function errorCodeOf(message: string): ErrorCode | undefined {
  const code = codePattern.exec(message)?.[1];
  return code !== undefined && (errorCodes as readonly string[]).includes(code) ? (code as ErrorCode) : undefined;
}
