import { Metadata, status } from '@grpc/grpc-js';
import { BrokenCircuitError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { CommandValidationError } from '../commands/catalogue.js';
import {
  CommitError,
  classifyError,
  EndorseError,
  GatewayError,
  isConnectionFailure,
  isEndorsementMismatch,
  isEndorsementOutage,
  isPeerFailure,
  validationCodeName,
} from './errors.js';

function serviceError(code: number, details: string) {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

function endorseError(chaincodeMessage: string): EndorseError {
  return new EndorseError({
    code: status.ABORTED,
    message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
    details: [{ address: 'peer0:7051', mspId: 'Org1MSP', message: `chaincode response 500, ${chaincodeMessage}` }],
    cause: serviceError(status.ABORTED, 'failed to endorse transaction'),
    transactionId: 'tx1',
  });
}

function gatewayError(code: number, message: string): GatewayError {
  return new GatewayError({ code, message, details: [], cause: serviceError(code, message) });
}

describe('classifyError: a peer that is up but does not know the settings (docs/fabric.md, "How a Fabric 2.5 peer answers")', () => {
  it('makes an unknown channel permanent although evaluate answers UNAVAILABLE, and not a connection failure', () => {
    const error = gatewayError(
      status.UNAVAILABLE,
      '14 UNAVAILABLE: failed to get config for channel [x]: could not get last config for channel x',
    );
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'UNKNOWN_CHANNEL' });
    expect(isConnectionFailure(error)).toBe(false);
    expect(isPeerFailure(error)).toBe(false);
  });

  it('makes a missing chaincode permanent, but an endorsing org that is down stays transient', () => {
    const missing = gatewayError(
      status.FAILED_PRECONDITION,
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode C in channel x',
    );
    expect(classifyError(missing)).toMatchObject({ kind: 'PERMANENT', reason: 'UNKNOWN_CHAINCODE' });
    const orgDown = gatewayError(
      status.FAILED_PRECONDITION,
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
    );
    expect(classifyError(orgDown)).toMatchObject({ kind: 'TRANSIENT', reason: 'ENDORSEMENT_UNAVAILABLE' });
  });

  it('makes a refused creator permanent on endorse, where the refusal is only in the details', () => {
    const error = new EndorseError({
      code: status.ABORTED,
      message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
      details: [
        {
          address: 'peer0:7051',
          mspId: 'Org1MSP',
          message: 'error validating proposal: access denied: channel [ch] creator org unknown, creator is malformed',
        },
      ],
      cause: serviceError(status.ABORTED, 'failed to endorse transaction'),
      transactionId: 'tx1',
    });
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'ACCESS_DENIED' });
  });
});

describe('classifyError', () => {
  it('makes a GX_* chaincode rejection permanent, keeping the chaincode message', () => {
    const verdict = classifyError(endorseError('GX_INSUFFICIENT_FUNDS: balance 5 is less than 10'));
    expect(verdict).toEqual({
      kind: 'PERMANENT',
      reason: 'GX_INSUFFICIENT_FUNDS',
      message: 'GX_INSUFFICIENT_FUNDS: balance 5 is less than 10',
    });
  });

  it('makes an unknown chaincode function permanent', () => {
    const verdict = classifyError(endorseError("You've asked to invoke a function that does not exist: Nope"));
    expect(verdict.kind).toBe('PERMANENT');
    expect(verdict.reason).toBe('CHAINCODE_ERROR');
  });

  it('makes an endorsement timeout transient', () => {
    expect(classifyError(endorseError('error sending: timeout expired while executing transaction')).kind).toBe(
      'TRANSIENT',
    );
  });

  it('makes catalogue validation failures permanent and names the field', () => {
    const verdict = classifyError(new CommandValidationError('TRANSFER_TOKENS', [{ field: 'amount', message: 'x' }]));
    expect(verdict.kind).toBe('PERMANENT');
    expect(verdict.message).toContain('amount');
  });

  it.each([
    [status.UNAVAILABLE, '14 UNAVAILABLE: No connection established', 'UNAVAILABLE'],
    [status.DEADLINE_EXCEEDED, '4 DEADLINE_EXCEEDED: Deadline exceeded', 'DEADLINE_EXCEEDED'],
    [status.RESOURCE_EXHAUSTED, '8 RESOURCE_EXHAUSTED: too big', 'RESOURCE_EXHAUSTED'],
    [
      status.UNKNOWN,
      '2 UNKNOWN: too many requests for /gateway.Gateway, exceeding concurrency limit (500)',
      'GATEWAY_CONCURRENCY_LIMIT',
    ],
  ])('makes gRPC code %i transient (%s)', (code, message, reason) => {
    expect(classifyError(gatewayError(code, message))).toMatchObject({ kind: 'TRANSIENT', reason });
  });

  it('makes PERMISSION_DENIED permanent', () => {
    expect(classifyError(gatewayError(status.PERMISSION_DENIED, '7 PERMISSION_DENIED: access denied')).kind).toBe(
      'PERMANENT',
    );
  });

  it('makes MVCC_READ_CONFLICT (code 11) transient and other invalid commits permanent', () => {
    const mvcc = new CommitError({ code: 11, transactionId: 't', message: 'failed with status code 11' });
    expect(classifyError(mvcc)).toMatchObject({ kind: 'TRANSIENT', reason: 'MVCC_READ_CONFLICT' });
    const policy = new CommitError({ code: 10, transactionId: 't', message: 'failed with status code 10' });
    expect(classifyError(policy)).toMatchObject({ kind: 'PERMANENT', reason: 'ENDORSEMENT_POLICY_FAILURE' });
  });

  it('makes an open circuit and unforeseen errors transient', () => {
    expect(classifyError(new BrokenCircuitError()).reason).toBe('CIRCUIT_OPEN');
    expect(classifyError(new Error('socket hang up')).kind).toBe('TRANSIENT');
  });
});

describe('connection and peer failures', () => {
  it('treats UNAVAILABLE as a broken connection and a peer failure', () => {
    const error = gatewayError(status.UNAVAILABLE, '14 UNAVAILABLE: Connection dropped');
    expect(isConnectionFailure(error)).toBe(true);
    expect(isPeerFailure(error)).toBe(true);
  });

  it('does not count a chaincode rejection or an overloaded gateway against the peer', () => {
    expect(isPeerFailure(endorseError('GX_NOT_FOUND: no such user'))).toBe(false);
    expect(isPeerFailure(gatewayError(status.UNKNOWN, '2 UNKNOWN: too many requests for /gateway.Gateway'))).toBe(
      false,
    );
    expect(isConnectionFailure(endorseError('GX_NOT_FOUND: no such user'))).toBe(false);
  });

  it('names validation codes', () => {
    expect(validationCodeName(11)).toBe('MVCC_READ_CONFLICT');
    expect(validationCodeName(0)).toBe('VALID');
  });
});

describe('two organizations (docs/fabric.md): outages and differing endorsements', () => {
  const collectError = (address: string, message: string) =>
    new EndorseError({
      code: status.ABORTED,
      message: '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
      details: [{ address, mspId: 'Org2MSP', message }],
      cause: serviceError(status.ABORTED, 'failed to collect enough transaction endorsements'),
      transactionId: 'tx1',
    });

  it('an organization whose peer is down: code 9, then an outage, transient, not a misconfiguration', () => {
    const error = gatewayError(
      status.FAILED_PRECONDITION,
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
    );
    expect(classifyError(error)).toMatchObject({ kind: 'TRANSIENT', reason: 'ENDORSEMENT_UNAVAILABLE' });
    expect(isEndorsementOutage(error)).toBe(true);
  });

  it('the first endorsement after the peer stopped: ABORTED with its Unavailable detail, an outage too', () => {
    const error = collectError(
      'peer0.org2:9051',
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.2:9051: connect: connection refused"',
    );
    expect(classifyError(error)).toMatchObject({ kind: 'TRANSIENT', reason: 'ENDORSEMENT_UNAVAILABLE' });
    expect(isEndorsementOutage(error)).toBe(true);
  });

  it('a peer unreachable, an open circuit: outages; a chaincode refusal or an unknown chaincode: not', () => {
    expect(isEndorsementOutage(gatewayError(status.UNAVAILABLE, '14 UNAVAILABLE: No connection established'))).toBe(
      true,
    );
    expect(isEndorsementOutage(new BrokenCircuitError())).toBe(true);
    expect(isEndorsementOutage(endorseError('GX_NOT_FOUND: no such user'))).toBe(false);
    const unknownChaincode = gatewayError(
      status.FAILED_PRECONDITION,
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode x in channel ch',
    );
    expect(isEndorsementOutage(unknownChaincode)).toBe(false);
    expect(isEndorsementOutage(new Error('socket hang up'))).toBe(false);
  });

  it('endorsements that differ: permanent, naming nondeterminism and the function when known', () => {
    const error = collectError('peer0.org2:9051', 'ProposalResponsePayloads do not match');
    expect(isEndorsementMismatch(error)).toBe(true);
    expect(isEndorsementOutage(error)).toBe(false);
    const verdict = classifyError(error, { function: 'TokenomicsContract:Transfer' });
    expect(verdict).toMatchObject({ kind: 'PERMANENT', reason: 'ENDORSEMENT_MISMATCH' });
    expect(verdict.message).toContain('TokenomicsContract:Transfer is not deterministic');
    expect(verdict.message).toContain('ProposalResponsePayloads do not match');
    expect(classifyError(error).message).toContain('the chaincode is not deterministic');
  });
});
