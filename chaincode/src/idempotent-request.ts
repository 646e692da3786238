/**
 * Idempotency on the request id, shared by every state-changing function.
 *
 * The backend retries a command with the same request id until it sees a commit, and may resubmit one that
 * did commit; the ledger must not apply it twice. Each request id therefore records the function, a hash of
 * its arguments and the result: a replay with the same arguments returns that result and writes and emits
 * nothing; different arguments (or another function) under a used id are rejected as GX_REQUEST_ID_REUSED.
 *
 * It is also where every state-changing function checks its caller, first of all (authorization.ts): a caller
 * without the function's role learns nothing, not even whether the request id was used, and writes nothing.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { type AuthorizationPolicy, authorize, currentPolicy, type StateChangingFunction } from './authorization';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import { type EventName, type EventPayload, eventSchemas } from './events';
import { txTimestampIso } from './tx-timestamp';
import { keys, type RequestRecord, readRecord, writeRecord } from './world-state';

const maxRequestIdLength = 128;

/** One state-changing call: the request it belongs to and the event it emits. */
export interface IdempotentCall<N extends EventName> {
  /** `Contract:Function`, so one request id cannot be reused across functions either; names the role it needs. */
  fn: StateChangingFunction;
  /**
   * The policy to check the caller against; the one stored at bootstrap when absent. Only BootstrapSystem
   * passes one (no policy is stored before it).
   */
  policy?: AuthorizationPolicy | undefined;
  requestId: string;
  /** Every argument after the request id, exactly as received. */
  args: readonly string[];
  event: N;
  /** Does the work (reads, checks, writes) and returns the event payload, which is also the call's result. */
  apply(timestamp: string): Promise<EventPayload<N>>;
}

/**
 * Runs `call.apply` once per request id and emits its single event. Returns the canonical JSON of the event
 * payload: the first time and on every replay.
 */
export async function runIdempotent<N extends EventName>(ctx: Context, call: IdempotentCall<N>): Promise<string> {
  authorize(ctx, call.fn, 'policy' in call ? call.policy : await currentPolicy(ctx));
  const { requestId } = call;
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > maxRequestIdLength) {
    throw gxError('GX_INVALID_ARGUMENT', `requestId must be 1-${maxRequestIdLength} characters`);
  }
  const argsHash = createHash('sha256')
    .update(canonicalJson([call.fn, ...call.args]), 'utf8')
    .digest('hex');
  const key = keys.request(requestId);
  const previous = await readRecord<RequestRecord>(ctx, key);
  if (previous !== undefined) {
    if (previous.fn === call.fn && previous.argsHash === argsHash) return previous.result;
    throw gxError(
      'GX_REQUEST_ID_REUSED',
      `request id "${requestId}" was already used for ${previous.fn} with different arguments`,
    );
  }

  const payload = await call.apply(txTimestampIso(ctx.stub));
  const checked = eventSchemas[call.event].safeParse(payload);
  if (!checked.success) {
    // A bug in this chaincode, not the caller's fault: fail loudly rather than emit what the projector rejects.
    throw new Error(`internal error: ${call.event} payload breaks its schema: ${checked.error.message}`);
  }
  const result = canonicalJson(checked.data);
  await ctx.stub.setEvent(call.event, Buffer.from(result, 'utf8'));
  await writeRecord(ctx, key, { fn: call.fn, argsHash, result } satisfies RequestRecord);
  return result;
}
