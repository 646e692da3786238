import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { common, gateway, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb.js';
import { describe, expect, it } from 'vitest';
import { PeerSigner } from './msp.js';
import { encodeReadWriteSet, type NamespaceReadWriteSet } from './read-write-set.js';
import {
  type DecodedProposal,
  decodeEndorseRequest,
  decodeSignedProposal,
  decodeSubmitRequest,
  type EndorsementInput,
  encodeEndorseResponse,
  endorse,
  MalformedMessageError,
} from './transaction-codec.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const signer = new PeerSigner(
  'GxMSP',
  '-----BEGIN CERTIFICATE-----\npeer\n-----END CERTIFICATE-----\n',
  privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
);

function signedProposal(transient: Record<string, string> = {}): InstanceType<typeof peer.SignedProposal> {
  const creator = Buffer.from('creator identity bytes');
  const nonce = Buffer.from('0123456789abcdef01234567');
  const extension = new peer.ChaincodeHeaderExtension();
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName('gxtv3');
  extension.setChaincodeId(chaincodeId);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId('gxchannel');
  channelHeader.setTxId(createHash('sha256').update(nonce).update(creator).digest('hex'));
  const timestamp = new Timestamp();
  timestamp.setSeconds(1_790_000_000);
  timestamp.setNanos(123_000_000);
  channelHeader.setTimestamp(timestamp);
  channelHeader.setExtension$(extension.serializeBinary());
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  signatureHeader.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const input = new peer.ChaincodeInput();
  input.setArgsList([Buffer.from('IdentityContract:CreateUser'), Buffer.from('request-1'), Buffer.from('{}')]);
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  for (const [key, value] of Object.entries(transient)) payload.getTransientmapMap().set(key, Buffer.from(value));
  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(Buffer.from('client signature'));
  return signed;
}

const parts = (signed: InstanceType<typeof peer.SignedProposal>) => ({
  proposalBytes: signed.getProposalBytes_asU8(),
  signature: signed.getSignature_asU8(),
});

/** The endorsement as the fabric-protos classes build it (devnet's earlier implementation), with `signature`. */
function reference(input: EndorsementInput, signature: Uint8Array) {
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
  const stripped = peer.ChaincodeProposalPayload.deserializeBinary(proposal.payloadBytes);
  stripped.getTransientmapMap().clear();
  const strippedBytes = stripped.serializeBinary();
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(createHash('sha256').update(proposal.headerBytes).update(strippedBytes).digest());
  responsePayload.setExtension$(action.serializeBinary());
  const proposalResponsePayload = responsePayload.serializeBinary();
  const endorsement = new peer.Endorsement();
  endorsement.setEndorser(signer.serializedIdentity);
  endorsement.setSignature(signature);
  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(proposalResponsePayload);
  endorsedAction.setEndorsementsList([endorsement]);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(strippedBytes);
  actionPayload.setAction(endorsedAction);
  const transactionAction = new peer.TransactionAction();
  transactionAction.setHeader(proposal.signatureHeaderBytes);
  transactionAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([transactionAction]);
  const payload = new common.Payload();
  payload.setHeader(common.Header.deserializeBinary(proposal.headerBytes));
  payload.setData(transaction.serializeBinary());
  return { proposalResponsePayload, transactionPayload: payload.serializeBinary() };
}

function signatureOf(transactionPayload: Uint8Array): Uint8Array {
  const payload = common.Payload.deserializeBinary(transactionPayload);
  const [action] = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
  const endorsed = peer.ChaincodeActionPayload.deserializeBinary(action?.getPayload_asU8() ?? new Uint8Array());
  return endorsed.getAction()?.getEndorsementsList()[0]?.getSignature_asU8() ?? new Uint8Array();
}

const readWriteSet: NamespaceReadWriteSet = {
  namespace: 'gxtv3',
  reads: [
    { key: 'gx/user/a', version: undefined },
    { key: 'gx/params', version: { block: 0, tx: 0 } },
    { key: 'gx/wallet/a', version: { block: 300_000, tx: 499 } },
  ],
  ranges: [
    { start: '\u0001', end: '', exhausted: true, reads: [] },
    { start: 'a', end: 'z\u{10ffff}', exhausted: false, reads: [{ key: 'b', version: { block: 2, tx: 1 } }] },
  ],
  writes: [
    { key: 'gx/user/a', value: Buffer.from('{"名前":"ü"}') },
    { key: 'gx/empty', value: new Uint8Array() },
    { key: 'gx/old', value: undefined },
  ],
};

const cases: Array<[string, Partial<EndorsementInput>, Record<string, string>]> = [
  ['a write with an event', {}, {}],
  [
    'no event, an empty payload and a message',
    { event: undefined, response: { status: 200, message: 'ok', payload: new Uint8Array() } },
    {},
  ],
  ['transient data (stripped from the transaction)', {}, { secret: 'value' }],
  [
    'an empty read-write set and an event with an empty payload',
    {
      readWriteSet: { namespace: 'kv', reads: [], ranges: [], writes: [] },
      event: { name: 'E', payload: new Uint8Array() },
    },
    {},
  ],
];

describe('endorse', () => {
  for (const [name, overrides, transient] of cases) {
    it(`writes the same bytes as the fabric-protos classes: ${name}`, async () => {
      const proposal: DecodedProposal = decodeSignedProposal(parts(signedProposal(transient)));
      const input: EndorsementInput = {
        proposal,
        response: { status: 200, message: '', payload: Buffer.from('{"result":1}') },
        readWriteSet,
        event: { name: 'UserCreated', payload: Buffer.from('{"version":1}') },
        ...overrides,
      };
      const endorsement = await endorse(input, signer);
      const signature = signatureOf(endorsement.transactionPayload);
      const expected = reference(input, signature);
      expect(Buffer.from(endorsement.proposalResponsePayload).equals(expected.proposalResponsePayload)).toBe(true);
      expect(Buffer.from(endorsement.transactionPayload).equals(expected.transactionPayload)).toBe(true);
      const signed = Buffer.concat([endorsement.proposalResponsePayload, signer.serializedIdentity]);
      expect(verify('sha256', signed, signer.publicKey, signature)).toBe(true);
    });
  }
});

describe('decodeSignedProposal', () => {
  it('reads what the fabric-protos classes read', () => {
    const signed = signedProposal({ secret: 'value', other: '' });
    const decoded = decodeSignedProposal(parts(signed));
    const proposal = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    const input = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8())
      .getChaincodeSpec()
      ?.getInput();
    expect(decoded.txId).toBe(channelHeader.getTxId());
    expect(decoded.channel).toBe('gxchannel');
    expect(decoded.chaincode).toBe('gxtv3');
    expect(decoded.timestamp).toEqual({ seconds: 1_790_000_000, nanos: 123_000_000 });
    expect(decoded.args.map((arg) => Buffer.from(arg).toString())).toEqual(
      (input?.getArgsList_asU8() ?? []).map((arg) => Buffer.from(arg).toString()),
    );
    expect(Buffer.from(decoded.creatorBytes).equals(signatureHeader.getCreator_asU8())).toBe(true);
    expect(Buffer.from(decoded.nonce).equals(signatureHeader.getNonce_asU8())).toBe(true);
    expect(Buffer.from(decoded.headerBytes).equals(proposal.getHeader_asU8())).toBe(true);
    expect(Buffer.from(decoded.channelHeaderBytes).equals(header.getChannelHeader_asU8())).toBe(true);
    expect(Buffer.from(decoded.signatureHeaderBytes).equals(header.getSignatureHeader_asU8())).toBe(true);
    expect(Buffer.from(decoded.payloadBytes).equals(proposal.getPayload_asU8())).toBe(true);
    expect(
      Object.fromEntries([...decoded.transient].map(([key, value]) => [key, Buffer.from(value).toString()])),
    ).toEqual({
      secret: 'value',
      other: '',
    });
  });

  it('refuses truncated bytes and a transaction id that is not hex(SHA-256(nonce ‖ creator))', () => {
    const signed = signedProposal();
    const truncated = new peer.SignedProposal();
    truncated.setProposalBytes(signed.getProposalBytes_asU8().subarray(0, 40));
    expect(() => decodeSignedProposal(parts(truncated))).toThrow(MalformedMessageError);
    expect(() => decodeSignedProposal(parts(truncated))).toThrow(/^error unmarshalling proposal: /);

    const proposal = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    channelHeader.setTxId('not-the-hash');
    header.setChannelHeader(channelHeader.serializeBinary());
    proposal.setHeader(header.serializeBinary());
    const forged = new peer.SignedProposal();
    forged.setProposalBytes(proposal.serializeBinary());
    expect(() => decodeSignedProposal(parts(forged))).toThrow(
      /^invalid txID\. got \[not-the-hash\], expected \[[0-9a-f]{64}\]$/,
    );
  });
});

describe('Endorse and Submit messages', () => {
  it('reads an EndorseRequest and a SubmitRequest as the fabric-protos classes do', () => {
    const endorseRequest = new gateway.EndorseRequest();
    endorseRequest.setTransactionId('tx-1');
    endorseRequest.setChannelId('gxchannel');
    endorseRequest.setProposedTransaction(signedProposal());
    endorseRequest.setEndorsingOrganizationsList(['GxMSP']);
    const endorse = decodeEndorseRequest(endorseRequest.serializeBinary());
    expect(endorse.transactionId).toBe('tx-1');
    expect(endorse.channelId).toBe('gxchannel');
    expect(Buffer.from(endorse.proposal?.proposalBytes ?? []).equals(signedProposal().getProposalBytes_asU8())).toBe(
      true,
    );
    expect(Buffer.from(endorse.proposal?.signature ?? []).toString()).toBe('client signature');
    expect(decodeEndorseRequest(new gateway.EndorseRequest().serializeBinary()).proposal).toBeUndefined();

    const envelope = new common.Envelope();
    envelope.setPayload(Buffer.from('payload bytes'));
    envelope.setSignature(Buffer.from('signature bytes'));
    const submitRequest = new gateway.SubmitRequest();
    submitRequest.setTransactionId('tx-2');
    submitRequest.setChannelId('other');
    submitRequest.setPreparedTransaction(envelope);
    const submit = decodeSubmitRequest(submitRequest.serializeBinary());
    expect(submit.transactionId).toBe('tx-2');
    expect(submit.channelId).toBe('other');
    expect(Buffer.from(submit.envelope?.payload ?? []).toString()).toBe('payload bytes');
    expect(Buffer.from(submit.envelope?.signature ?? []).toString()).toBe('signature bytes');
    expect(decodeSubmitRequest(new gateway.SubmitRequest().serializeBinary()).envelope).toBeUndefined();
    expect(() => decodeSubmitRequest(submitRequest.serializeBinary().subarray(0, 20))).toThrow();
  });

  it('writes an EndorseResponse as the fabric-protos classes do', () => {
    const payload = Buffer.from('prepared transaction payload');
    const envelope = new common.Envelope();
    envelope.setPayload(payload);
    const reference = new gateway.EndorseResponse();
    reference.setPreparedTransaction(envelope);
    expect(Buffer.from(encodeEndorseResponse(payload)).equals(reference.serializeBinary())).toBe(true);
  });
});
