/**
 * The `gateway.Gateway` service: Evaluate, Endorse, Submit, CommitStatus and ChaincodeEvents, answering
 * with the same codes, messages and error details a Fabric 2.5 peer's gateway sends.
 */
import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { common, gateway, peer } from '@hyperledger/fabric-protos';
import gatewayGrpc, { type IGatewayServer } from '@hyperledger/fabric-protos/lib/gateway/gateway_grpc_pb.js';
import type { Logger } from 'pino';
import { type BlockFeed, firstBlock, type StartPosition, streamEvents } from './chaincode-events.js';
import type { HostedChaincode, Simulation } from './chaincode-host.js';
import { type EndorsementPolicy, isSatisfied } from './endorsement-policy.js';
import type { FaultState } from './faults.js';
import { GatewayStatusError } from './gateway-errors.js';
import type { LedgerStore } from './ledger-store.js';
import { devnetRequests } from './metrics.js';
import { accessDenied, IdentityError, Membership, type PeerSigner, type VerifiedCreator } from './msp.js';
import { OpenStreams } from './open-streams.js';
import type { Orderer } from './orderer.js';
import type { PeerOrganization } from './peer-organization.js';
import {
  assembleTransaction,
  type DecodedProposal,
  type DecodedTransaction,
  decodeEndorseRequest,
  decodeSignedProposal,
  decodeSubmitRequest,
  decodeTransactionEnvelope,
  type EndorseRequestView,
  type EndorserSignature,
  encodeEndorseResponse,
  encodeProposalResponsePayload,
  MalformedMessageError,
  type SignedProposalBytes,
  type SubmitRequestView,
  signEndorsement,
} from './transaction-codec.js';

/** What the service works with. */
export interface GatewayServiceContext {
  channel: string;
  mspId: string;
  /** Address reported in error details, as a peer reports its own endpoint (known once the port is bound). */
  readonly address: string;
  concurrencyLimit: number;
  store: LedgerStore;
  orderer: Orderer;
  membership: Membership;
  signer: PeerSigner;
  chaincodes: ReadonlyMap<string, HostedChaincode>;
  /** Every peer organization of the network (this one among them): endorsers as the policy needs them. */
  organizations: readonly PeerOrganization[];
  policy: EndorsementPolicy;
  faults: FaultState;
  feed: BlockFeed;
  /** Warns of endorsements that differ between organizations, naming the function. */
  logger?: Logger | undefined;
}

/**
 * The service's handlers. Endorse and Submit take their requests as devnet decodes them and answer with
 * encoded bytes (see {@link gatewayServiceDefinition}); the other methods use the fabric-protos classes.
 */
export type GatewayImplementation = Omit<IGatewayServer, 'endorse' | 'submit'> & {
  endorse: handleUnaryCall<EndorseRequestView, Uint8Array>;
  submit: handleUnaryCall<SubmitRequestView, Uint8Array>;
};

const { GatewayService } = gatewayGrpc;
const EMPTY_SUBMIT_RESPONSE = new Uint8Array();
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The `gateway.Gateway` service definition with Endorse's and Submit's messages read and written by
 * transaction-codec.ts instead of the fabric-protos classes: grpc-js would otherwise build an object per
 * nested message of every request (with a copy of its bytes) and re-serialize the prepared transaction devnet
 * had just encoded (~3% of devnet's busy time, profiled). The wire format is the same.
 */
export const gatewayServiceDefinition = {
  ...GatewayService,
  endorse: {
    ...GatewayService.endorse,
    requestDeserialize: decodeEndorseRequest,
    responseSerialize: asBuffer,
  },
  submit: {
    ...GatewayService.submit,
    requestDeserialize: decodeSubmitRequest,
    responseSerialize: asBuffer,
  },
} as unknown as ServiceDefinition<GatewayImplementation>;

/** The service implementation plus the handles the network needs for faults and shutdown. */
export interface GatewayServiceHandle {
  implementation: GatewayImplementation;
  /** Ends every open event stream with UNAVAILABLE. */
  dropStreams(reason: string): void;
}

interface PreparedEndorsement {
  tx: DecodedTransaction;
}

const ENDORSEMENT_CACHE_LIMIT = 50_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Builds the service over `context`. */
export function createGatewayService(context: GatewayServiceContext): GatewayServiceHandle {
  const { channel, mspId } = context;
  /** Endorsed but not yet submitted transactions: a submit of the very bytes devnet prepared skips re-decoding. */
  const endorsed = new Map<string, PreparedEndorsement>();
  const streams = new OpenStreams();
  let inFlight = 0;
  /** The hand-off of the last submitted transaction to the orderer; each waits for the one before. */
  let submissions: Promise<void> = Promise.resolve();

  const detail = (message: string) => [{ address: context.address, mspId, message }];

  function unary<Req, Res>(
    method: string,
    run: (
      request: Req,
      call: { cancelled: boolean; on(event: 'cancelled', listener: () => void): unknown },
    ) => Promise<Res>,
  ): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      if (inFlight >= context.concurrencyLimit) {
        devnetRequests.inc({ method, status: 'UNKNOWN' });
        callback(
          new GatewayStatusError(
            status.UNKNOWN,
            `too many requests for /gateway.Gateway, exceeding concurrency limit (${context.concurrencyLimit})`,
          ).toServiceError(),
        );
        return;
      }
      inFlight++;
      run(call.request, call).then(
        (response) => {
          inFlight--;
          devnetRequests.inc({ method, status: 'OK' });
          callback(null, response);
        },
        (error: unknown) => {
          inFlight--;
          const failure = asStatusError(error);
          devnetRequests.inc({ method, status: status[failure.code] });
          callback(failure.toServiceError());
        },
      );
    };
  }

  /**
   * The peer's query system chaincode, as much of it as clients use to read the ledger height: `qscc`
   * `GetChainInfo(channel)` answers a `common.BlockchainInfo` (height only: devnet's blocks are its own records,
   * so there are no block hashes to give). Evaluate only, like every query.
   */
  function systemChaincode(name: string): Pick<HostedChaincode, 'name' | 'simulate'> | undefined {
    if (name !== 'qscc') return undefined;
    return {
      name,
      async simulate(input) {
        const [fn, channelArg] = input.args.map((arg) => Buffer.from(arg).toString('utf8'));
        const empty = { namespace: name, reads: [], ranges: [], writes: [] };
        if (fn !== 'GetChainInfo') {
          const message = `devnet's qscc serves GetChainInfo only, not ${fn}`;
          return {
            response: { status: 500, message, payload: new Uint8Array() },
            readWriteSet: empty,
            event: undefined,
          };
        }
        if (channelArg !== channel) {
          const message = `Failed to get chain info for chain ${channelArg ?? ''}`;
          return {
            response: { status: 500, message, payload: new Uint8Array() },
            readWriteSet: empty,
            event: undefined,
          };
        }
        const info = new common.BlockchainInfo();
        info.setHeight(context.store.height);
        const payload = info.serializeBinary();
        return { response: { status: 200, message: '', payload }, readWriteSet: empty, event: undefined };
      },
    };
  }

  /**
   * A channel this peer has not joined, answered per call as a Fabric 2.5 peer's gateway does (docs/fabric.md, "How a Fabric 2.5 peer answers"):
   * Evaluate fails to read the channel's config (UNAVAILABLE), Endorse finds no chaincode metadata in it
   * (FAILED_PRECONDITION), ChaincodeEvents finds no policy manager (PERMISSION_DENIED). Submit and
   * CommitStatus were not observed there and keep NOT_FOUND.
   */
  function checkChannel(
    requested: string,
    call: 'evaluate' | 'endorse' | 'events' | 'other' = 'other',
    chaincodeName = '',
  ): void {
    if (requested === channel) return;
    switch (call) {
      case 'evaluate':
        throw new GatewayStatusError(
          status.UNAVAILABLE,
          `failed to get config for channel [${requested}]: could not get last config for channel ${requested}`,
        );
      case 'endorse':
        throw new GatewayStatusError(
          status.FAILED_PRECONDITION,
          `no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode ${chaincodeName} in channel ${requested}`,
        );
      case 'events':
        throw new GatewayStatusError(
          status.PERMISSION_DENIED,
          `Failed to get policy manager for channel [${requested}]`,
        );
      default:
        throw new GatewayStatusError(status.NOT_FOUND, `channel '${requested}' not found`);
    }
  }

  /**
   * The other organizations' peers whose endorsements, with this peer's own, satisfy the policy: as a
   * gateway plans, the local peer first, then others in order, leaving out peers it knows to be down. Throws
   * a Fabric 2.5 gateway's FAILED_PRECONDITION when no such combination exists.
   */
  function planEndorsers(): PeerOrganization[] {
    const chosen = new Set([mspId]);
    const remotes: PeerOrganization[] = [];
    if (isSatisfied(context.policy, chosen)) return remotes;
    for (const org of context.organizations) {
      if (org.mspId === mspId) continue;
      // A peer that went down since the last plan is still in this one: the endorsement sent there fails.
      if (!org.up && !org.takeUnnoticedOutage()) continue;
      remotes.push(org);
      chosen.add(org.mspId);
      if (isSatisfied(context.policy, chosen)) return remotes;
    }
    throw new GatewayStatusError(
      status.FAILED_PRECONDITION,
      'no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
    );
  }

  /** Runs `chaincode` for `proposal` as the peer of `peerMspId` would, over the committed state. */
  function run(
    chaincode: Pick<HostedChaincode, 'name' | 'simulate'>,
    proposal: DecodedProposal,
    creator: VerifiedCreator,
    peerMspId: string,
  ): Promise<Simulation> {
    return chaincode.simulate(
      {
        channel,
        namespace: chaincode.name,
        txId: proposal.txId,
        args: proposal.args,
        creator: { mspid: creator.mspId, idBytes: Buffer.from(creator.certBytes) },
        peerMspId,
        transient: proposal.transient,
        timestamp: proposal.timestamp,
        nonce: proposal.nonce,
        signedProposal: signedProposalView(proposal),
      },
      context.store.state,
    );
  }

  /**
   * Decodes and authenticates a proposal and finds its chaincode; `phase` shapes errors as a peer does. On
   * endorse, `plan` decides which other organizations must endorse too, before the chaincode runs.
   */
  async function simulate(
    signed: SignedProposalBytes | undefined,
    phase: 'evaluate' | 'endorse',
    plan?: (chaincode: string) => void,
  ): Promise<{ proposal: DecodedProposal; simulation: Simulation; creator: VerifiedCreator }> {
    if (!signed) throw new GatewayStatusError(status.INVALID_ARGUMENT, 'a signed proposal is required');
    const proposal = decodeSignedProposal(signed);
    checkChannel(proposal.channel, phase, proposal.chaincode);
    const chaincode = context.chaincodes.get(proposal.chaincode) ?? systemChaincode(proposal.chaincode);
    if (!chaincode) {
      throw new GatewayStatusError(
        status.FAILED_PRECONDITION,
        phase === 'evaluate'
          ? `no peers available to evaluate chaincode ${proposal.chaincode} in channel ${channel}`
          : `no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode ${proposal.chaincode} in channel ${channel}`,
      );
    }
    plan?.(proposal.chaincode);
    // A failure the endorser reports: a chaincode response (evaluate: UNKNOWN) or a refused proposal (evaluate:
    // FAILED_PRECONDITION); on endorse both are ABORTED with the endorser's message as the detail.
    const endorserFailure = (message: string, evaluateCode: status = status.UNKNOWN) =>
      phase === 'evaluate'
        ? new GatewayStatusError(evaluateCode, `evaluate call to endorser returned error: ${message}`, detail(message))
        : new GatewayStatusError(
            status.ABORTED,
            'failed to endorse transaction, see attached details for more info',
            detail(message),
          );
    const refused = (mspId?: string) =>
      endorserFailure(`error validating proposal: ${accessDenied(channel, mspId)}`, status.FAILED_PRECONDITION);
    let creator: VerifiedCreator;
    try {
      creator = context.membership.creator(proposal.creatorBytes);
    } catch (error) {
      if (error instanceof IdentityError) throw refused(error.mspId);
      throw error;
    }
    if (!(await Membership.verifiesInBackground(creator, proposal.proposalBytes, proposal.signature))) {
      throw refused(creator.mspId);
    }
    if (context.faults.endorsementDelayMs > 0) await sleep(context.faults.endorsementDelayMs);
    if (context.faults.takeEndorsementFailure()) {
      throw new GatewayStatusError(
        status.UNAVAILABLE,
        'failed to connect to endorser: devnet fault injected',
        detail('endorser unavailable (devnet fault)'),
      );
    }
    const simulation = await run(chaincode, proposal, creator, mspId);
    const { response } = simulation;
    if (response.status < 200 || response.status >= 400) {
      throw endorserFailure(`chaincode response ${response.status}, ${response.message}`);
    }
    return { proposal, simulation, creator };
  }

  /** A remote endorser's failure, as a gateway reports what it could not collect. */
  const collectFailure = (org: PeerOrganization, message: string) =>
    new GatewayStatusError(
      status.ABORTED,
      'failed to collect enough transaction endorsements, see attached details for more info',
      [{ address: org.address, mspId: org.mspId, message }],
    );

  /**
   * Has each of `remotes` simulate the proposal with its own chaincode instance; returns the first whose
   * proposal response payload differs from `payload` (the local one), or undefined when all match.
   */
  async function endorseRemotely(
    remotes: readonly PeerOrganization[],
    proposal: DecodedProposal,
    creator: VerifiedCreator,
    payload: Uint8Array,
  ): Promise<PeerOrganization | undefined> {
    for (const org of remotes) {
      const chaincode = org.chaincodes.get(proposal.chaincode);
      if (!org.up || !chaincode) {
        throw collectFailure(
          org,
          `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${org.address}: connect: connection refused"`,
        );
      }
      const simulation = await run(chaincode, proposal, creator, org.mspId);
      const { response } = simulation;
      if (response.status < 200 || response.status >= 400) {
        throw collectFailure(org, `chaincode response ${response.status}, ${response.message}`);
      }
      const remotePayload = encodeProposalResponsePayload({ proposal, ...simulation });
      if (!Buffer.from(remotePayload).equals(payload)) return org;
    }
    return undefined;
  }

  const implementation: GatewayImplementation = {
    evaluate: unary('Evaluate', async (request: InstanceType<typeof gateway.EvaluateRequest>) => {
      checkChannel(request.getChannelId(), 'evaluate');
      const signed = request.getProposedTransaction();
      const { simulation } = await simulate(
        signed && { proposalBytes: signed.getProposalBytes_asU8(), signature: signed.getSignature_asU8() },
        'evaluate',
      );
      const result = new peer.Response();
      result.setStatus(simulation.response.status);
      result.setMessage(simulation.response.message);
      result.setPayload(simulation.response.payload);
      const response = new gateway.EvaluateResponse();
      response.setResult(result);
      return response;
    }),

    endorse: unary('Endorse', async (request: EndorseRequestView) => {
      // The chaincode name is read from the proposal only for the refusal's message, not on every request.
      if (request.channelId !== channel) {
        checkChannel(
          request.channelId,
          'endorse',
          request.proposal && decodeSignedProposal(request.proposal).chaincode,
        );
      }
      let remotes: PeerOrganization[] = [];
      let proposal: DecodedProposal;
      let simulation: Simulation;
      let payload: Uint8Array;
      for (let round = 1; ; round++) {
        const heightBefore = context.store.height;
        let creator: VerifiedCreator;
        ({ proposal, simulation, creator } = await simulate(request.proposal, 'endorse', (chaincode) => {
          // A system chaincode is endorsed by this peer alone.
          remotes = context.chaincodes.has(chaincode) ? planEndorsers() : [];
        }));
        payload = encodeProposalResponsePayload({ proposal, ...simulation });
        const differing = await endorseRemotely(remotes, proposal, creator, payload);
        if (!differing) break;
        // A block committed while the peers simulated: they may have read different versions, which is a race
        // (real peers at different heights show it too), not nondeterminism. Simulated again at one height.
        if (context.store.height !== heightBefore && round < 3) continue;
        const fn = proposal.args[0] ? Buffer.from(proposal.args[0]).toString('utf8') : '';
        context.logger?.warn(
          { chaincode: proposal.chaincode, function: fn, txId: proposal.txId, endorser: differing.mspId },
          `endorsements differ between organizations: ${proposal.chaincode} ${fn} is not deterministic`,
        );
        throw collectFailure(differing, 'ProposalResponsePayloads do not match');
      }
      const signatures: EndorserSignature[] = await Promise.all(
        [context.signer, ...remotes.map((org) => org.signer)].map((signer) => signEndorsement(payload, signer)),
      );
      const endorsement = {
        proposalResponsePayload: payload,
        transactionPayload: assembleTransaction(proposal, payload, signatures),
      };
      if (endorsed.size >= ENDORSEMENT_CACHE_LIMIT) {
        const oldest = endorsed.keys().next().value;
        if (oldest !== undefined) endorsed.delete(oldest);
      }
      endorsed.set(proposal.txId, {
        tx: {
          txId: proposal.txId,
          channel,
          creatorBytes: proposal.creatorBytes,
          payload: endorsement.transactionPayload,
          signature: new Uint8Array(),
          chaincode: proposal.chaincode,
          responseStatus: simulation.response.status,
          readWriteSets: [simulation.readWriteSet],
          event: simulation.event ? { chaincode: proposal.chaincode, ...simulation.event } : undefined,
          endorsements: [],
          proposalResponsePayload: endorsement.proposalResponsePayload,
        },
      });
      return encodeEndorseResponse(endorsement.transactionPayload);
    }),

    submit: unary('Submit', async (request: SubmitRequestView) => {
      checkChannel(request.channelId);
      const { envelope } = request;
      if (!envelope) throw new GatewayStatusError(status.INVALID_ARGUMENT, 'a prepared transaction is required');
      const { payload } = envelope;
      const prepared = endorsed.get(request.transactionId);
      let tx: DecodedTransaction;
      let endorsementChecked: Promise<boolean>;
      if (prepared && Buffer.from(prepared.tx.payload).equals(payload)) {
        // The very payload devnet built and signed: its endorsement is known good.
        tx = { ...prepared.tx, signature: envelope.signature };
        endorsementChecked = Promise.resolve(true);
        endorsed.delete(tx.txId);
      } else {
        tx = decodeTransactionEnvelope(envelope);
        checkChannel(tx.channel);
        endorsementChecked = satisfiesPolicy(context.organizations, context.policy, tx);
      }
      let creatorChecked = Promise.resolve(false);
      try {
        creatorChecked = Membership.verifiesInBackground(
          context.membership.creator(tx.creatorBytes),
          tx.payload,
          tx.signature,
        );
      } catch (error) {
        if (!(error instanceof IdentityError)) throw error;
      }
      // Checks run in parallel on the thread pool; transactions still reach the orderer in arrival order.
      const checked = Promise.all([creatorChecked, endorsementChecked]);
      const handOff = submissions.then(async () => {
        const [creatorSignatureValid, endorsementValid] = await checked;
        try {
          context.orderer.submit({ tx, creatorSignatureValid, endorsementValid });
        } catch (error) {
          throw new GatewayStatusError(
            status.UNAVAILABLE,
            `failed to send transaction to orderer: ${error instanceof Error ? error.message : error}`,
          );
        }
      });
      submissions = handOff.catch(() => {});
      await handOff;
      return EMPTY_SUBMIT_RESPONSE;
    }),

    commitStatus: unary(
      'CommitStatus',
      async (request: InstanceType<typeof gateway.SignedCommitStatusRequest>, call) => {
        const requestBytes = request.getRequest_asU8();
        let inner: InstanceType<typeof gateway.CommitStatusRequest>;
        try {
          inner = gateway.CommitStatusRequest.deserializeBinary(requestBytes);
        } catch {
          throw new GatewayStatusError(status.INVALID_ARGUMENT, 'failed to unmarshal commit status request');
        }
        checkChannel(inner.getChannelId());
        await authenticate(context.membership, inner.getIdentity_asU8(), requestBytes, request.getSignature_asU8());
        const abort = new AbortController();
        let answered = false;
        call.on('cancelled', () => {
          if (!answered) abort.abort();
        });
        const result = await context.orderer.statusOf(inner.getTransactionId(), abort.signal);
        answered = true;
        const response = new gateway.CommitStatusResponse();
        response.setResult(result.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
        response.setBlockNumber(result.block);
        return response;
      },
    ),

    chaincodeEvents: (async (
      call: ServerWritableStream<
        InstanceType<typeof gateway.SignedChaincodeEventsRequest>,
        InstanceType<typeof gateway.ChaincodeEventsResponse>
      >,
    ) => {
      let request: InstanceType<typeof gateway.ChaincodeEventsRequest>;
      try {
        const requestBytes = call.request.getRequest_asU8();
        request = gateway.ChaincodeEventsRequest.deserializeBinary(requestBytes);
        checkChannel(request.getChannelId(), 'events');
        await authenticate(
          context.membership,
          request.getIdentity_asU8(),
          requestBytes,
          call.request.getSignature_asU8(),
          channel,
        );
      } catch (error) {
        const failure = asStatusError(error);
        devnetRequests.inc({ method: 'ChaincodeEvents', status: status[failure.code] });
        call.emit('error', failure.toServiceError());
        return;
      }
      devnetRequests.inc({ method: 'ChaincodeEvents', status: 'OK' });
      const stream = streams.track(call);
      const sink = {
        get closed() {
          return stream.isClosed();
        },
        write: stream.write,
      };
      const afterTxId = request.getAfterTransactionId();
      streamEvents(
        context.store,
        context.feed,
        sink,
        {
          chaincode: request.getChaincodeId(),
          start: firstBlock(startPosition(request), context.store.height),
          afterTxId: afterTxId === '' ? undefined : afterTxId,
        },
        stream.stopped,
      ).then(
        () => {
          if (!stream.isClosed()) {
            stream.finish();
            call.end();
          }
        },
        (error: unknown) => stream.drop(error instanceof Error ? error.message : String(error)),
      );
    }) satisfies handleServerStreamingCall<
      InstanceType<typeof gateway.SignedChaincodeEventsRequest>,
      InstanceType<typeof gateway.ChaincodeEventsResponse>
    >,
  };

  return {
    implementation,
    dropStreams: (reason) => streams.dropAll(reason),
  };
}

/** What the stub's `getSignedProposal()` returns; the proposal is decoded only if the chaincode asks. */
function signedProposalView(proposal: DecodedProposal): {
  signature: Uint8Array;
  readonly proposal: InstanceType<typeof peer.Proposal>;
} {
  let decoded: InstanceType<typeof peer.Proposal> | undefined;
  return {
    signature: proposal.signature,
    get proposal() {
      decoded ??= peer.Proposal.deserializeBinary(proposal.proposalBytes);
      return decoded;
    },
  };
}

function startPosition(request: InstanceType<typeof gateway.ChaincodeEventsRequest>): StartPosition {
  const position = request.getStartPosition();
  if (!position) return { kind: 'nextCommit' };
  if (position.hasSpecified()) return { kind: 'block', number: Number(position.getSpecified()?.getNumber() ?? 0) };
  if (position.hasOldest()) return { kind: 'oldest' };
  if (position.hasNewest()) return { kind: 'newest' };
  return { kind: 'nextCommit' };
}

/**
 * Checks a signed request's identity and signature. For the event stream (`channel` given) a refusal reads as
 * a Fabric 2.5 peer's channel Readers policy check (docs/fabric.md, "How a Fabric 2.5 peer answers"); CommitStatus keeps devnet's own wording.
 */
async function authenticate(
  membership: Membership,
  identity: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  channel?: string,
): Promise<void> {
  const denied = (reason: string) =>
    new GatewayStatusError(
      status.PERMISSION_DENIED,
      channel === undefined
        ? reason
        : `Failed evaluating policy on signed data during check policy on channel [${channel}] with policy [/Channel/Application/Readers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]`,
    );
  let creator: VerifiedCreator;
  try {
    creator = membership.creator(identity);
  } catch (error) {
    if (error instanceof IdentityError) throw denied(error.message);
    throw error;
  }
  if (!(await Membership.verifiesInBackground(creator, message, signature))) {
    throw denied('the request signature is invalid');
  }
}

/**
 * Whether the valid endorsements of `tx` (each a peer's signature over proposal response payload ‖ endorser)
 * come from organizations that satisfy `policy`, as a peer's validation checks the chaincode's policy.
 */
async function satisfiesPolicy(
  organizations: readonly PeerOrganization[],
  policy: EndorsementPolicy,
  tx: DecodedTransaction,
): Promise<boolean> {
  const endorsers = new Set<string>();
  for (const endorsement of tx.endorsements) {
    const org = organizations.find((o) => Buffer.from(endorsement.endorser).equals(o.signer.serializedIdentity));
    if (!org || endorsers.has(org.mspId)) continue;
    const peerKey = { mspId: org.mspId, certPem: '', certBytes: new Uint8Array(), publicKey: org.signer.publicKey };
    const message = Buffer.concat([tx.proposalResponsePayload, endorsement.endorser]);
    if (await Membership.verifiesInBackground(peerKey, message, endorsement.signature)) endorsers.add(org.mspId);
  }
  return isSatisfied(policy, endorsers);
}

function asStatusError(error: unknown): GatewayStatusError {
  if (error instanceof GatewayStatusError) return error;
  if (error instanceof MalformedMessageError) return new GatewayStatusError(status.INVALID_ARGUMENT, error.message);
  return new GatewayStatusError(status.INTERNAL, error instanceof Error ? error.message : String(error));
}
