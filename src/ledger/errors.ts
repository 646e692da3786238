/**
 * Error classification for everything that can go wrong between an outbox row and a committed transaction,
 * decided in this one place: retry (TRANSIENT) or dead-letter at once (PERMANENT).
 *
 * The shapes follow what a Fabric 2.5 peer's Gateway answers through fabric-gateway 1.11 (docs/architecture.md, decision 6):
 * a chaincode that throws during endorse gives an `EndorseError` (ABORTED) whose per-peer details read
 * `chaincode response 500, <message>`; an overloaded gateway answers UNKNOWN with `too many requests`; a
 * transaction that loses an MVCC race commits with validation code 11; a channel, chaincode or identity the
 * peer does not know is answered with codes that usually mean a passing fault, and is told apart by message.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';

export { CommitError, CommitStatusError, EndorseError, GatewayError };

/** Validation code → name (`11` → `MVCC_READ_CONFLICT`); fabric-gateway's own table is not exported at run time. */
const validationCodeNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/** The name of a transaction validation code, e.g. `MVCC_READ_CONFLICT` for 11. */
export function validationCodeName(code: number): string {
  return validationCodeNames.get(code) ?? `VALIDATION_CODE_${code}`;
}

/**
 * The error for a transaction that committed invalid (built here only, so its message is the same wherever
 * it is raised): fabric-gateway's own CommitError, with the validation code's name in the message.
 */
export function newCommitError(outcome: { transactionId: string; code: number }): CommitError {
  return new CommitError({
    code: outcome.code as CommitError['code'],
    transactionId: outcome.transactionId,
    message: `Transaction ${outcome.transactionId} failed to commit with status code ${outcome.code} (${validationCodeName(outcome.code)})`,
  });
}

/** Whether a failure is worth retrying. */
export type ErrorKind = 'PERMANENT' | 'TRANSIENT';

/** The verdict on one failure: its kind, a short stable reason, and the message to keep on the outbox row. */
export interface ErrorClassification {
  kind: ErrorKind;
  /** Stable, upper-case reason: a `GX_*` chaincode code, a gRPC status name, a validation code name, … */
  reason: string;
  message: string;
}

/**
 * A request refused before it reached the ledger because it is malformed (a command payload that fails its
 * schema): permanent. Callers subclass it (the command catalogue's CommandValidationError); the ledger
 * client knows nothing of commands.
 */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** Credentials or TLS settings that cannot be used; names the variable at fault. Never worth a retry. */
export class CredentialError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(`${variable}: ${message}`, options);
    this.name = 'CredentialError';
    this.variable = variable;
  }
}

/** A call asked for something this client was not configured for (e.g. an admin-signed command without admin credentials). */
export class LedgerConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerConfigurationError';
  }
}

/** The ledger client was closed while the call was waiting. */
export class LedgerClosedError extends Error {
  constructor() {
    super('ledger client closed');
    this.name = 'LedgerClosedError';
  }
}

/** Commit validation codes that mean "lost a race, the same command may well succeed if endorsed again". */
const TRANSIENT_VALIDATION_CODES = new Set<number>([11 /* MVCC_READ_CONFLICT */, 12 /* PHANTOM_READ_CONFLICT */]);

/** gRPC codes that describe the transport or the peer's load, never the request itself. */
const TRANSIENT_GRPC_CODES = new Set<number>([
  GrpcStatus.CANCELLED,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.INTERNAL,
  // "no combination of peers can be derived …": chaincode not (yet) installed or peers down; operators fix it.
  GrpcStatus.FAILED_PRECONDITION,
]);

/** Messages of timeouts and overload, whatever code carries them (endorsement timeouts come back as chaincode responses). */
const TRANSIENT_MESSAGE =
  /too many requests|timeout expired|timed out|deadline exceeded|connection (?:refused|reset)|ECONNRESET|ECONNREFUSED|UNAVAILABLE/i;

/**
 * Answers of a peer that is up but cannot serve this client's settings (docs/fabric.md, "How a Fabric 2.5 peer answers"): asking
 * again gives the same answer until an operator changes the settings or the network. Real peers send them with
 * codes that otherwise mean a passing fault (UNAVAILABLE, FAILED_PRECONDITION, ABORTED), so they are told
 * apart by message, before any code-based rule.
 */
const MISCONFIGURATION: ReadonlyArray<{ pattern: RegExp; reason: string }> = [
  // Evaluate on a channel the peer has not joined: 14 UNAVAILABLE.
  { pattern: /failed to get config for channel \[/, reason: 'UNKNOWN_CHANNEL' },
  // The event stream on such a channel: 7 PERMISSION_DENIED.
  { pattern: /Failed to get policy manager for channel \[/, reason: 'UNKNOWN_CHANNEL' },
  // Evaluate of a chaincode not committed on the channel: 9 FAILED_PRECONDITION.
  { pattern: /no peers available to evaluate chaincode /, reason: 'UNKNOWN_CHAINCODE' },
  // Endorse of a chaincode not committed on the channel, or on an unknown channel: 9 FAILED_PRECONDITION. (An
  // endorsing org that is down reads "no peer combination can satisfy the endorsement policy": transient.)
  { pattern: /No metadata was found for chaincode /, reason: 'UNKNOWN_CHAINCODE' },
  // A creator the channel's MSPs refuse (foreign CA, unknown MSP id, bad signature): evaluate 9, endorse 10.
  { pattern: /access denied: channel \[[^\]]*\] creator org/, reason: 'ACCESS_DENIED' },
  // The event stream for such a creator: 7 PERMISSION_DENIED.
  { pattern: /Failed evaluating policy on signed data during check policy on channel \[/, reason: 'ACCESS_DENIED' },
];

/** The reason a peer's answer means "wrong channel, chaincode or identity", if it does. */
export function misconfigurationReason(error: unknown): string | undefined {
  if (!(error instanceof GatewayError)) return undefined;
  const texts = [error.message, ...error.details.map((detail) => detail.message)];
  return MISCONFIGURATION.find(({ pattern }) => texts.some((text) => pattern.test(text)))?.reason;
}

/**
 * A gateway that could not collect the endorsements the policy needs because a peer is down (docs/fabric.md,
 * two organizations): at once `9 FAILED_PRECONDITION … no peer combination can satisfy the endorsement policy`
 * (also for a policy no live peers can satisfy), or, briefly, `10 ABORTED` with the peer's Unavailable detail.
 */
const POLICY_UNSATISFIABLE = /no peer combination can satisfy the endorsement policy/;
const ENDORSER_UNREACHABLE = /code = Unavailable|connection refused|connection reset/i;
/** The organizations' peers simulated the proposal and came to different results: nondeterministic chaincode. */
const PAYLOADS_DIFFER = /ProposalResponsePayloads do not match/;

/**
 * Whether `error` says the ledger cannot endorse any write now, whatever the command: the peer is unreachable,
 * the circuit breaker holds calls back, or the endorsement policy cannot be satisfied by the peers that are
 * up. Commands that meet it are not the cause and should wait, not spend attempts (the submitter pauses).
 */
export function isEndorsementOutage(error: unknown): boolean {
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return true;
  if (!(error instanceof GatewayError)) return false;
  if (misconfigurationReason(error) !== undefined || chaincodeMessage(error) !== undefined) return false;
  return endorsersUnavailable(error) || error.code === GrpcStatus.UNAVAILABLE || isConnectionFailure(error);
}

/** The gateway answered, but the peers the policy needs are not all up (docs/fabric.md: code 9 at once, or briefly 10 with an Unavailable detail). */
function endorsersUnavailable(error: GatewayError): boolean {
  if (POLICY_UNSATISFIABLE.test(error.message)) return true;
  return (
    error.code === GrpcStatus.ABORTED &&
    error.details.length > 0 &&
    error.details.every((detail) => ENDORSER_UNREACHABLE.test(detail.message))
  );
}

/** Whether the organizations' endorsements of a proposal differed (a permanent failure: nondeterminism). */
export function isEndorsementMismatch(error: unknown): boolean {
  return error instanceof GatewayError && error.details.some((detail) => PAYLOADS_DIFFER.test(detail.message));
}

const CHAINCODE_RESPONSE = /chaincode response (\d+), ?([\s\S]*)$/;
const GX_CODE = /\b(GX_[A-Z0-9_]+)\b/;

/** The gRPC code of a gateway error, by name, for reasons such as `UNAVAILABLE`. */
function grpcName(code: number): string {
  return (Object.entries(GrpcStatus).find(([, value]) => value === code)?.[0] ?? `GRPC_${code}`).toString();
}

/** What the chaincode said, if the failure is a chaincode response (from the per-peer details or the message). */
export function chaincodeMessage(error: GatewayError): string | undefined {
  for (const text of [...error.details.map((detail) => detail.message), error.message]) {
    const match = CHAINCODE_RESPONSE.exec(text);
    if (match?.[2] !== undefined) return match[2].trim();
  }
  return undefined;
}

function classifyGatewayError(error: GatewayError, call: CallContext): ErrorClassification {
  const fromChaincode = chaincodeMessage(error);
  if (fromChaincode !== undefined) {
    const gxCode = GX_CODE.exec(fromChaincode)?.[1];
    if (gxCode) return { kind: 'PERMANENT', reason: gxCode, message: fromChaincode };
    if (TRANSIENT_MESSAGE.test(fromChaincode))
      return { kind: 'TRANSIENT', reason: 'ENDORSEMENT_TIMEOUT', message: fromChaincode };
    // The chaincode decided (unknown function, bad argument, a bug that throws): asking again gives the same answer.
    return { kind: 'PERMANENT', reason: 'CHAINCODE_ERROR', message: fromChaincode };
  }
  const detailText = error.details.map((detail) => `${detail.address}: ${detail.message}`).join('; ');
  const message = detailText ? `${error.message} (${detailText})` : error.message;
  const misconfigured = misconfigurationReason(error);
  if (misconfigured !== undefined) return { kind: 'PERMANENT', reason: misconfigured, message };
  if (isEndorsementMismatch(error)) {
    // Asking again runs the same code on the same peers: it differs again. The chaincode must be fixed.
    const subject = call.function ? `${call.function} is not deterministic` : 'the chaincode is not deterministic';
    return {
      kind: 'PERMANENT',
      reason: 'ENDORSEMENT_MISMATCH',
      message: `endorsements differ between organizations: ${subject} (it must depend on its inputs and the ledger only: no clock, randomness, map order or memory of its own): ${message}`,
    };
  }
  if (endorsersUnavailable(error)) return { kind: 'TRANSIENT', reason: 'ENDORSEMENT_UNAVAILABLE', message };
  if (TRANSIENT_GRPC_CODES.has(error.code) || TRANSIENT_MESSAGE.test(message)) {
    const reason = /too many requests/i.test(message) ? 'GATEWAY_CONCURRENCY_LIMIT' : grpcName(error.code);
    return { kind: 'TRANSIENT', reason, message };
  }
  // ABORTED/UNKNOWN without a chaincode response: the peer failed for its own reasons.
  if (error.code === GrpcStatus.ABORTED || error.code === GrpcStatus.UNKNOWN)
    return { kind: 'TRANSIENT', reason: grpcName(error.code), message };
  // INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, NOT_FOUND, …: the request or identity is wrong.
  return { kind: 'PERMANENT', reason: grpcName(error.code), message };
}

/** What the caller knows of the failed call, for messages (e.g. `TokenomicsContract:Transfer`). */
export interface CallContext {
  function?: string;
}

/**
 * Decides whether `error` is worth retrying. The single source of that decision: the submitter, the API's
 * error mapping and the projector all ask here.
 */
export function classifyError(error: unknown, call: CallContext = {}): ErrorClassification {
  if (error instanceof InvalidRequestError) {
    return { kind: 'PERMANENT', reason: 'INVALID_PAYLOAD', message: error.message };
  }
  if (error instanceof CredentialError || error instanceof LedgerConfigurationError) {
    return { kind: 'PERMANENT', reason: 'CONFIGURATION', message: error.message };
  }
  if (error instanceof CommitError) {
    const name = validationCodeName(error.code);
    const kind: ErrorKind = TRANSIENT_VALIDATION_CODES.has(error.code) ? 'TRANSIENT' : 'PERMANENT';
    return { kind, reason: name, message: error.message };
  }
  if (error instanceof GatewayError) return classifyGatewayError(error, call);
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    return {
      kind: 'TRANSIENT',
      reason: 'CIRCUIT_OPEN',
      message: 'ledger circuit breaker is open: the peer keeps failing',
    };
  }
  if (error instanceof LedgerClosedError) return { kind: 'TRANSIENT', reason: 'CLIENT_CLOSED', message: error.message };
  // Anything unforeseen (a socket error, a bug in a collaborator) is retried a bounded number of times, then
  // dead-lettered with its message: safer than dropping a command that might have gone through.
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'TRANSIENT', reason: 'UNEXPECTED', message };
}

/**
 * Whether `error` says the connection itself is bad (so the client should build a new gRPC channel), as
 * opposed to a request the peer answered.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return false;
  // A peer refusing the channel answers UNAVAILABLE over a sound connection.
  if (misconfigurationReason(error) !== undefined) return false;
  if (error.code === GrpcStatus.UNAVAILABLE) return true;
  // A stream the server dropped shows up as CANCELLED/INTERNAL with a connection message.
  return (
    (error.code === GrpcStatus.INTERNAL || error.code === GrpcStatus.CANCELLED || error.code === GrpcStatus.UNKNOWN) &&
    /ECONNRESET|connection|stream|socket|RST_STREAM|GOAWAY/i.test(error.message)
  );
}

/** Whether the circuit breaker should count `error` as the peer failing (not the request being refused). */
export function isPeerFailure(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return false;
  if (chaincodeMessage(error) !== undefined || misconfigurationReason(error) !== undefined) return false;
  return (
    error.code === GrpcStatus.UNAVAILABLE ||
    error.code === GrpcStatus.DEADLINE_EXCEEDED ||
    error.code === GrpcStatus.INTERNAL ||
    isConnectionFailure(error)
  );
}
