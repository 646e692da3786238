/**
 * Fabric message layouts devnet reads and writes: the signed proposal a client sends, the signed proposal
 * response and prepared transaction envelope a peer's gateway answers with, and the endorsed transaction a
 * client submits. Built exactly as Fabric's protoutil does, so the real client parses them.
 */
import { createHash } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import type { PeerSigner } from './msp.js';
import { decodeReadWriteSet, encodeReadWriteSet, type NamespaceReadWriteSet } from './read-write-set.js';

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
  /** Proposal's header bytes, reused verbatim in the transaction. */
  headerBytes: Uint8Array;
  signatureHeaderBytes: Uint8Array;
  proposal: InstanceType<typeof peer.Proposal>;
}

/** Decodes a SignedProposal; throws {@link MalformedMessageError}. */
export function decodeSignedProposal(signed: InstanceType<typeof peer.SignedProposal>): DecodedProposal {
  try {
    const proposalBytes = signed.getProposalBytes_asU8();
    const proposal = peer.Proposal.deserializeBinary(proposalBytes);
    const headerBytes = proposal.getHeader_asU8();
    const header = common.Header.deserializeBinary(headerBytes);
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeaderBytes = header.getSignatureHeader_asU8();
    const signatureHeader = common.SignatureHeader.deserializeBinary(signatureHeaderBytes);
    const extension = peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8());
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    const invocation = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8());
    const args = invocation.getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [];
    const transient = new Map<string, Uint8Array>();
    payload.getTransientmapMap().forEach((value, key) => {
      transient.set(key, typeof value === 'string' ? Buffer.from(value, 'base64') : value);
    });
    const timestamp = channelHeader.getTimestamp();
    const creatorBytes = signatureHeader.getCreator_asU8();
    const nonce = signatureHeader.getNonce_asU8();
    const txId = channelHeader.getTxId();
    // A peer refuses a transaction id that is not hex(SHA-256(nonce ‖ creator)).
    const expected = createHash('sha256').update(nonce).update(creatorBytes).digest('hex');
    if (txId !== expected) throw new MalformedMessageError(`invalid txID. got [${txId}], expected [${expected}]`);
    return {
      txId,
      channel: channelHeader.getChannelId(),
      chaincode: extension.getChaincodeId()?.getName() ?? '',
      args,
      transient,
      timestamp: { seconds: timestamp?.getSeconds() ?? 0, nanos: timestamp?.getNanos() ?? 0 },
      creatorBytes,
      nonce,
      proposalBytes,
      signature: signed.getSignature_asU8(),
      headerBytes,
      signatureHeaderBytes,
      proposal,
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
  envelope: InstanceType<typeof common.Envelope>;
  /** The envelope's payload bytes: what the client signs and later submits. */
  transactionPayload: Uint8Array;
}

/** Signs the simulation result as a peer endorsement and assembles the transaction envelope, as protoutil does. */
export function endorse(input: EndorsementInput, signer: PeerSigner): Endorsement {
  const { proposal } = input;
  const response = new peer.Response();
  response.setStatus(input.response.status);
  response.setMessage(input.response.message);
  response.setPayload(input.response.payload);

  const action = new peer.ChaincodeAction();
  action.setResults(encodeReadWriteSet([input.readWriteSet]));
  if (input.event) {
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(proposal.chaincode);
    event.setTxId(proposal.txId);
    event.setEventName(input.event.name);
    event.setPayload(input.event.payload);
    action.setEvents(event.serializeBinary());
  }
  action.setResponse(response);
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(proposal.chaincode);
  chaincodeId.setVersion('1.0');
  action.setChaincodeId(chaincodeId);

  const proposalHash = createHash('sha256')
    .update(proposal.headerBytes)
    .update(proposalPayloadWithoutTransient(proposal))
    .digest();
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(proposalHash);
  responsePayload.setExtension$(action.serializeBinary());
  const proposalResponsePayload = responsePayload.serializeBinary();

  const endorsement = new peer.Endorsement();
  endorsement.setEndorser(signer.serializedIdentity);
  endorsement.setSignature(
    signer.sign(Buffer.concat([proposalResponsePayload, signer.serializedIdentity])),
  );

  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(proposalResponsePayload);
  endorsedAction.setEndorsementsList([endorsement]);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayloadWithoutTransient(proposal));
  actionPayload.setAction(endorsedAction);
  const transactionAction = new peer.TransactionAction();
  transactionAction.setHeader(proposal.signatureHeaderBytes);
  transactionAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([transactionAction]);

  const payload = new common.Payload();
  payload.setHeader(common.Header.deserializeBinary(proposal.headerBytes));
  payload.setData(transaction.serializeBinary());
  const transactionPayload = payload.serializeBinary();
  const envelope = new common.Envelope();
  envelope.setPayload(transactionPayload);
  return { proposalResponsePayload, envelope, transactionPayload };
}

const strippedPayloads = new WeakMap<DecodedProposal, Uint8Array>();

/** The proposal payload without its transient map: what the transaction records and the proposal hash covers. */
function proposalPayloadWithoutTransient(proposal: DecodedProposal): Uint8Array {
  // Without transient data the stripped payload is the payload as sent (protobuf writes fields in order).
  if (proposal.transient.size === 0) return proposal.proposal.getPayload_asU8();
  let bytes = strippedPayloads.get(proposal);
  if (!bytes) {
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.proposal.getPayload_asU8());
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
export function decodeTransactionEnvelope(envelope: InstanceType<typeof common.Envelope>): DecodedTransaction {
  try {
    const payloadBytes = envelope.getPayload_asU8();
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
      signature: envelope.getSignature_asU8(),
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
