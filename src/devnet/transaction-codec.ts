/**
 * Fabric message layouts devnet reads and writes: the signed proposal a client sends, the signed proposal
 * response and prepared transaction envelope a peer's gateway answers with, and the endorsed transaction a
 * client submits. Built exactly as Fabric's protoutil does, so the real client parses them.
 */
import { createHash } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import type { PeerSigner } from './msp.js';
import { bytesOf, emptyBytes, readFields, stringOf, varintOf } from './protobuf-reader.js';
import {
  bytesField,
  embeddedField,
  encode,
  message,
  messageField,
  stringField,
  varintField,
} from './protobuf-writer.js';
import { decodeReadWriteSet, type NamespaceReadWriteSet, readWriteSetMessage } from './read-write-set.js';

/** Raised for a request whose bytes are not a well-formed Fabric message. */
export class MalformedMessageError extends Error {}

/** What devnet needs from a signed proposal. */
export interface DecodedProposal {
  txId: string;
  channel: string;
  chaincode: string;
  args: Uint8Array[];
  transient: Map<string, Uint8Array>;
  timestamp: { seconds: number; nanos: number };
  creatorBytes: Uint8Array;
  nonce: Uint8Array;
  proposalBytes: Uint8Array;
  signature: Uint8Array;
  /** Proposal's header bytes (the proposal hash covers them) and the header's two fields. */
  headerBytes: Uint8Array;
  channelHeaderBytes: Uint8Array;
  signatureHeaderBytes: Uint8Array;
  /** The proposal's payload (a ChaincodeProposalPayload). */
  payloadBytes: Uint8Array;
}

/**
 * Decodes a SignedProposal; throws {@link MalformedMessageError}. Its nested messages are read with
 * protobuf-reader.ts, field numbers from Fabric's protos: Proposal { header 1, payload 2 }, Header
 * { channel_header 1, signature_header 2 }, ChannelHeader { timestamp 3: { seconds 1, nanos 2 }, channel_id 4,
 * tx_id 5, extension 7: ChaincodeHeaderExtension { chaincode_id 2: { name 2 } } }, SignatureHeader
 * { creator 1, nonce 2 }, ChaincodeProposalPayload { input 1: ChaincodeInvocationSpec { chaincode_spec 1:
 * { input 3: { args 1 } } }, TransientMap 2: [{ key 1, value 2 }] }.
 */
export function decodeSignedProposal(signed: SignedProposalBytes): DecodedProposal {
  try {
    const { proposalBytes } = signed;
    const [headerBytes, payloadBytes] = bytesFields1And2(proposalBytes);
    const [channelHeaderBytes, signatureHeaderBytes] = bytesFields1And2(headerBytes);
    let channel = '';
    let txId = '';
    let chaincode = '';
    const timestamp = { seconds: 0, nanos: 0 };
    readFields(channelHeaderBytes, (f) => {
      if (f.field === 3) {
        timestamp.seconds = 0;
        timestamp.nanos = 0;
        readFields(bytesOf(f), (t) => {
          if (t.field === 1) timestamp.seconds = varintOf(t);
          else if (t.field === 2) timestamp.nanos = varintOf(t);
        });
      } else if (f.field === 4) channel = stringOf(f);
      else if (f.field === 5) txId = stringOf(f);
      else if (f.field === 7) {
        chaincode = '';
        readFields(bytesOf(f), (extension) => {
          if (extension.field !== 2) return;
          chaincode = '';
          readFields(bytesOf(extension), (id) => {
            if (id.field === 2) chaincode = stringOf(id);
          });
        });
      }
    });
    const [creatorBytes, nonce] = bytesFields1And2(signatureHeaderBytes);
    let inputBytes = emptyBytes;
    const transient = new Map<string, Uint8Array>();
    readFields(payloadBytes, (f) => {
      if (f.field === 1) inputBytes = bytesOf(f);
      else if (f.field === 2) {
        let key = '';
        let value: Uint8Array = emptyBytes;
        readFields(bytesOf(f), (entry) => {
          if (entry.field === 1) key = stringOf(entry);
          else if (entry.field === 2) value = bytesOf(entry);
        });
        transient.set(key, Buffer.from(value));
      }
    });
    let args: Uint8Array[] = [];
    readFields(inputBytes, (f) => {
      if (f.field !== 1) return;
      args = [];
      readFields(bytesOf(f), (spec) => {
        if (spec.field !== 3) return;
        args = [];
        readFields(bytesOf(spec), (input) => {
          if (input.field === 1) args.push(bytesOf(input));
        });
      });
    });
    // A peer refuses a transaction id that is not hex(SHA-256(nonce ‖ creator)).
    const expected = createHash('sha256').update(nonce).update(creatorBytes).digest('hex');
    if (txId !== expected) throw new MalformedMessageError(`invalid txID. got [${txId}], expected [${expected}]`);
    return {
      txId,
      channel,
      chaincode,
      args,
      transient,
      timestamp,
      creatorBytes,
      nonce,
      proposalBytes,
      signature: signed.signature,
      headerBytes,
      channelHeaderBytes,
      signatureHeaderBytes,
      payloadBytes,
    };
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(`error unmarshalling proposal: ${error instanceof Error ? error.message : error}`);
  }
}

/** What an endorsement carries. */
export interface EndorsementInput {
  proposal: DecodedProposal;
  response: { status: number; message: string; payload: Uint8Array };
  readWriteSet: NamespaceReadWriteSet;
  event: { name: string; payload: Uint8Array } | undefined;
}

/** A signed endorsement and the prepared (unsigned) transaction built from it. */
export interface Endorsement {
  proposalResponsePayload: Uint8Array;
  /** The prepared transaction envelope's payload: what the client signs and later submits. */
  transactionPayload: Uint8Array;
}

/**
 * Signs the simulation result as a peer endorsement and assembles the transaction envelope, as protoutil does.
 * The messages are written with protobuf-writer.ts (field numbers from Fabric's protos, noted below); the
 * bytes equal what the fabric-protos classes produce (transaction-codec.unit.spec.ts).
 */
export async function endorse(input: EndorsementInput, signer: PeerSigner): Promise<Endorsement> {
  const proposalResponsePayload = encodeProposalResponsePayload(input);
  const endorsement = await signEndorsement(proposalResponsePayload, signer);
  return {
    proposalResponsePayload,
    transactionPayload: assembleTransaction(input.proposal, proposalResponsePayload, [endorsement]),
  };
}

/** One peer's signature over a proposal response payload, as it goes into the transaction. */
export interface EndorserSignature {
  endorser: Uint8Array;
  signature: Uint8Array;
}

/**
 * The `peer.ProposalResponsePayload` of a simulation: what every endorsing peer signs, and what must be the
 * same bytes from each of them (a gateway refuses differing ones: "ProposalResponsePayloads do not match").
 */
export function encodeProposalResponsePayload(input: EndorsementInput): Uint8Array {
  const { proposal } = input;
  // peer.ChaincodeAction { results 1, events 2, response 3, chaincode_id 4 }
  const action = message(
    embeddedField(1, readWriteSetMessage([input.readWriteSet])),
    input.event
      ? // peer.ChaincodeEvent { chaincode_id 1, tx_id 2, event_name 3, payload 4 }
        embeddedField(
          2,
          message(
            stringField(1, proposal.chaincode),
            stringField(2, proposal.txId),
            stringField(3, input.event.name),
            bytesField(4, input.event.payload),
          ),
        )
      : undefined,
    // peer.Response { status 1, message 2, payload 3 }
    messageField(
      3,
      message(
        varintField(1, input.response.status),
        stringField(2, input.response.message),
        bytesField(3, input.response.payload),
      ),
    ),
    // peer.ChaincodeID { path 1, name 2, version 3 }
    messageField(4, message(stringField(2, proposal.chaincode), stringField(3, '1.0'))),
  );
  const strippedPayload = proposalPayloadWithoutTransient(proposal);
  const proposalHash = createHash('sha256').update(proposal.headerBytes).update(strippedPayload).digest();
  // peer.ProposalResponsePayload { proposal_hash 1, extension 2 }
  return encode(message(bytesField(1, proposalHash), embeddedField(2, action)));
}

/** `signer`'s endorsement of a proposal response payload (signature over payload ‖ endorser, as a peer signs). */
export async function signEndorsement(
  proposalResponsePayload: Uint8Array,
  signer: PeerSigner,
): Promise<EndorserSignature> {
  const signature = await signer.signInBackground(Buffer.concat([proposalResponsePayload, signer.serializedIdentity]));
  return { endorser: signer.serializedIdentity, signature };
}

/** The prepared transaction's payload carrying `endorsements` (in the order given), as protoutil assembles it. */
export function assembleTransaction(
  proposal: DecodedProposal,
  proposalResponsePayload: Uint8Array,
  endorsements: readonly EndorserSignature[],
): Uint8Array {
  const strippedPayload = proposalPayloadWithoutTransient(proposal);
  // peer.ChaincodeActionPayload { chaincode_proposal_payload 1, action 2: ChaincodeEndorsedAction {
  //   proposal_response_payload 1, endorsements 2: [Endorsement { endorser 1, signature 2 }] } }
  const actionPayload = message(
    bytesField(1, strippedPayload),
    messageField(
      2,
      message(
        bytesField(1, proposalResponsePayload),
        ...endorsements.map((e) => messageField(2, message(bytesField(1, e.endorser), bytesField(2, e.signature)))),
      ),
    ),
  );
  // peer.Transaction { actions 1: [TransactionAction { header 1, payload 2 }] }
  const transaction = message(
    messageField(1, message(bytesField(1, proposal.signatureHeaderBytes), embeddedField(2, actionPayload))),
  );
  // common.Payload { header 1, data 2 }, the header being the proposal's (common.Header { channel_header 1,
  // signature_header 2 }), re-encoded from its two fields as the fabric-protos classes would.
  return encode(
    message(
      messageField(
        1,
        message(bytesField(1, proposal.channelHeaderBytes), bytesField(2, proposal.signatureHeaderBytes)),
      ),
      embeddedField(2, transaction),
    ),
  );
}

const strippedPayloads = new WeakMap<DecodedProposal, Uint8Array>();

/** The proposal payload without its transient map: what the transaction records and the proposal hash covers. */
function proposalPayloadWithoutTransient(proposal: DecodedProposal): Uint8Array {
  // Without transient data the stripped payload is the payload as sent (protobuf writes fields in order).
  if (proposal.transient.size === 0) return proposal.payloadBytes;
  let bytes = strippedPayloads.get(proposal);
  if (!bytes) {
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.payloadBytes);
    payload.getTransientmapMap().clear();
    bytes = payload.serializeBinary();
    strippedPayloads.set(proposal, bytes);
  }
  return bytes;
}

/** What validation needs from a submitted transaction envelope. */
export interface DecodedTransaction {
  txId: string;
  channel: string;
  creatorBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  chaincode: string;
  responseStatus: number;
  readWriteSets: NamespaceReadWriteSet[];
  event: { chaincode: string; name: string; payload: Uint8Array } | undefined;
  endorsements: Array<{ endorser: Uint8Array; signature: Uint8Array }>;
  proposalResponsePayload: Uint8Array;
}

/** Decodes a client-signed transaction envelope; throws {@link MalformedMessageError}. */
export function decodeTransactionEnvelope(envelope: {
  payload: Uint8Array;
  signature: Uint8Array;
}): DecodedTransaction {
  try {
    const payloadBytes = envelope.payload;
    const payload = common.Payload.deserializeBinary(payloadBytes);
    const header = payload.getHeader();
    if (!header) throw new MalformedMessageError('missing header');
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const [first] = transaction.getActionsList();
    if (!first) throw new MalformedMessageError('transaction has no actions');
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(first.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) throw new MalformedMessageError('missing endorsed action');
    const proposalResponsePayload = endorsed.getProposalResponsePayload_asU8();
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(proposalResponsePayload);
    const action = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    const eventBytes = action.getEvents_asU8();
    let event: DecodedTransaction['event'];
    if (eventBytes.length > 0) {
      const decoded = peer.ChaincodeEvent.deserializeBinary(eventBytes);
      event = { chaincode: decoded.getChaincodeId(), name: decoded.getEventName(), payload: decoded.getPayload_asU8() };
    }
    return {
      txId: channelHeader.getTxId(),
      channel: channelHeader.getChannelId(),
      creatorBytes: signatureHeader.getCreator_asU8(),
      payload: payloadBytes,
      signature: envelope.signature,
      chaincode: action.getChaincodeId()?.getName() ?? '',
      responseStatus: action.getResponse()?.getStatus() ?? 0,
      readWriteSets: decodeReadWriteSet(action.getResults_asU8()),
      event,
      endorsements: endorsed
        .getEndorsementsList()
        .map((e) => ({ endorser: e.getEndorser_asU8(), signature: e.getSignature_asU8() })),
      proposalResponsePayload,
    };
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(
      `error unmarshalling transaction: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** A signed proposal's two fields. */
export interface SignedProposalBytes {
  proposalBytes: Uint8Array;
  signature: Uint8Array;
}

/** A `gateway.EndorseRequest` as devnet reads it. */
export interface EndorseRequestView {
  transactionId: string;
  channelId: string;
  proposal: SignedProposalBytes | undefined;
}

/** A `gateway.SubmitRequest` as devnet reads it. */
export interface SubmitRequestView {
  transactionId: string;
  channelId: string;
  envelope: { payload: Uint8Array; signature: Uint8Array } | undefined;
}

/**
 * Fields 1 and 2 of the many Fabric messages made of two byte strings: Proposal { header, payload }, Header
 * { channel_header, signature_header }, SignatureHeader { creator, nonce }, and the signed wrappers
 * SignedProposal { proposal_bytes, signature } and Envelope { payload, signature }.
 */
function bytesFields1And2(bytes: Uint8Array): [Uint8Array, Uint8Array] {
  let first = emptyBytes;
  let second = emptyBytes;
  readFields(bytes, (f) => {
    if (f.field === 1) first = bytesOf(f);
    else if (f.field === 2) second = bytesOf(f);
  });
  return [first, second];
}

function readSignedProposal(bytes: Uint8Array): SignedProposalBytes {
  const [proposalBytes, signature] = bytesFields1And2(bytes);
  return { proposalBytes, signature };
}

/**
 * Reads a `gateway.EndorseRequest` { transaction_id 1, channel_id 2, proposed_transaction 3: SignedProposal
 * { proposal_bytes 1, signature 2 }, endorsing_organizations 4 } from the wire, in place of the fabric-protos
 * class grpc-js would otherwise build (with a copy of the bytes); throws on malformed bytes, as that does.
 */
export function decodeEndorseRequest(bytes: Uint8Array): EndorseRequestView {
  const request: EndorseRequestView = { transactionId: '', channelId: '', proposal: undefined };
  readFields(bytes, (f) => {
    if (f.field === 1) request.transactionId = stringOf(f);
    else if (f.field === 2) request.channelId = stringOf(f);
    else if (f.field === 3) request.proposal = readSignedProposal(bytesOf(f));
  });
  return request;
}

/** Reads a `gateway.SubmitRequest` { transaction_id 1, channel_id 2, prepared_transaction 3: Envelope { payload 1, signature 2 } }. */
export function decodeSubmitRequest(bytes: Uint8Array): SubmitRequestView {
  const request: SubmitRequestView = { transactionId: '', channelId: '', envelope: undefined };
  readFields(bytes, (f) => {
    if (f.field === 1) request.transactionId = stringOf(f);
    else if (f.field === 2) request.channelId = stringOf(f);
    else if (f.field === 3) {
      const [payload, signature] = bytesFields1And2(bytesOf(f));
      request.envelope = { payload, signature };
    }
  });
  return request;
}

/** A `gateway.EndorseResponse` { prepared_transaction 1: Envelope { payload 1 } } carrying `transactionPayload`. */
export function encodeEndorseResponse(transactionPayload: Uint8Array): Uint8Array {
  return encode(message(messageField(1, message(bytesField(1, transactionPayload)))));
}
