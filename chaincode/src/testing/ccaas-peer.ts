/**
 * The peer's side of the chaincode protocol (`protos.Chaincode/Connect`), just enough to drive a CCaaS server
 * the way a Fabric peer does: dial it, answer REGISTER with REGISTERED + READY, send TRANSACTION messages
 * carrying a proposal (creator certificate, timestamp) and serve the GET_STATE / PUT_STATE / DEL_STATE calls
 * the chaincode makes back, over an in-memory world state. Writes and the event are kept only for a status
 * below 400, as endorsement + commit would.
 */
import * as grpc from '@grpc/grpc-js';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import type { TestIdentity } from './identities';

const Type = peer.ChaincodeMessage.Type;

export interface PeerInvokeResult {
  status: number;
  message: string;
  payload: string;
  event?: { name: string; payload: string };
}

interface PendingTx {
  writes: Map<string, Uint8Array | null>;
  resolve(result: PeerInvokeResult): void;
}

export class CcaasPeer {
  readonly state = new Map<string, Uint8Array>();
  /** The chaincode id the server announced in REGISTER. */
  registeredAs: string | undefined;
  private readonly client: grpc.Client & { connect(): grpc.ClientDuplexStream<unknown, unknown> };
  private stream: grpc.ClientDuplexStream<peer.ChaincodeMessage, peer.ChaincodeMessage> | undefined;
  private readonly pending = new Map<string, PendingTx>();
  private txCount = 0;

  /** `rootCertPem`: dial with TLS trusting this CA, as a peer does for `tls_required: true`. */
  constructor(address: string, rootCertPem?: string) {
    const credentials =
      rootCertPem === undefined
        ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl(Buffer.from(rootCertPem, 'utf8'));
    this.client = new peer.ChaincodeClient(address, credentials) as never;
  }

  /** Opens the stream and completes the REGISTER → REGISTERED → READY handshake. */
  async connect(timeoutMs = 10_000): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
    const stream = this.client.connect() as unknown as grpc.ClientDuplexStream<
      peer.ChaincodeMessage,
      peer.ChaincodeMessage
    >;
    this.stream = stream;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.on('data', (message: peer.ChaincodeMessage) => {
        if (message.getType() === Type.REGISTER) {
          this.registeredAs = peer.ChaincodeID.deserializeBinary(message.getPayload_asU8()).getName();
          this.send({ type: Type.REGISTERED });
          this.send({ type: Type.READY });
          resolve();
          return;
        }
        this.onMessage(message);
      });
    });
  }

  /**
   * Runs one transaction (`args[0]` is `Contract:Function`) as `identity`, with `transient` in the proposal's
   * transient map as a client puts it there, and waits for COMPLETED.
   */
  invoke(
    identity: TestIdentity,
    args: readonly string[],
    transient: ReadonlyMap<string, Uint8Array> = new Map(),
  ): Promise<PeerInvokeResult> {
    this.txCount += 1;
    const txId = `ccaas-tx-${this.txCount}`;
    const input = new peer.ChaincodeInput();
    input.setArgsList(args.map((arg) => Buffer.from(arg, 'utf8')));
    return new Promise((resolve) => {
      this.pending.set(txId, { writes: new Map(), resolve });
      this.send({
        type: Type.TRANSACTION,
        txId,
        payload: input.serializeBinary(),
        proposal: proposalFor(identity, txId, input, transient),
      });
    });
  }

  close(): void {
    this.stream?.cancel();
    this.client.close();
  }

  private onMessage(message: peer.ChaincodeMessage): void {
    const txId = message.getTxid();
    const tx = this.pending.get(txId);
    if (tx === undefined) return;
    switch (message.getType()) {
      case Type.GET_STATE: {
        const key = peer.GetState.deserializeBinary(message.getPayload_asU8()).getKey();
        // Reads see committed state only, as on a peer.
        this.send({ type: Type.RESPONSE, txId, payload: this.state.get(key) ?? new Uint8Array(0) });
        return;
      }
      case Type.PUT_STATE: {
        const put = peer.PutState.deserializeBinary(message.getPayload_asU8());
        tx.writes.set(put.getKey(), put.getValue_asU8());
        this.send({ type: Type.RESPONSE, txId });
        return;
      }
      case Type.DEL_STATE: {
        tx.writes.set(peer.DelState.deserializeBinary(message.getPayload_asU8()).getKey(), null);
        this.send({ type: Type.RESPONSE, txId });
        return;
      }
      case Type.COMPLETED: {
        this.pending.delete(txId);
        const response = peer.Response.deserializeBinary(message.getPayload_asU8());
        const event = message.getChaincodeEvent();
        const result: PeerInvokeResult = {
          status: response.getStatus(),
          message: response.getMessage(),
          payload: Buffer.from(response.getPayload_asU8()).toString('utf8'),
        };
        if (event !== undefined && event.getEventName() !== '') {
          result.event = { name: event.getEventName(), payload: Buffer.from(event.getPayload_asU8()).toString('utf8') };
        }
        if (result.status < 400) {
          for (const [key, value] of tx.writes) {
            if (value === null) this.state.delete(key);
            else this.state.set(key, value);
          }
        } else {
          delete result.event;
        }
        tx.resolve(result);
        return;
      }
      default:
        this.send({ type: Type.ERROR, txId, payload: Buffer.from(`unsupported message type ${message.getType()}`) });
    }
  }

  private send(message: { type: number; txId?: string; payload?: Uint8Array; proposal?: peer.SignedProposal }): void {
    const pb = new peer.ChaincodeMessage();
    pb.setType(message.type as never);
    pb.setChannelId('gxchannel');
    if (message.txId !== undefined) pb.setTxid(message.txId);
    if (message.payload !== undefined) pb.setPayload(message.payload);
    if (message.proposal !== undefined) pb.setProposal(message.proposal);
    this.stream?.write(pb);
  }
}

/** A proposal as a client would sign it (the chaincode never checks the signature; the peer does). */
function proposalFor(
  identity: TestIdentity,
  txId: string,
  input: peer.ChaincodeInput,
  transient: ReadonlyMap<string, Uint8Array>,
): peer.SignedProposal {
  const creator = new msp.SerializedIdentity();
  creator.setMspid(identity.mspId);
  creator.setIdBytes(Buffer.from(identity.certPem, 'utf8'));
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator.serializeBinary());
  signatureHeader.setNonce(Buffer.from(txId));
  const timestamp = new Timestamp();
  timestamp.setSeconds(Date.UTC(2026, 0, 2) / 1000);
  timestamp.setNanos(5_000_000);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId('gxchannel');
  channelHeader.setTxId(txId);
  channelHeader.setTimestamp(timestamp);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  const spec = new peer.ChaincodeSpec();
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  for (const [key, value] of transient) payload.getTransientmapMap().set(key, value);
  proposal.setPayload(payload.serializeBinary());
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(Buffer.from('unsigned'));
  return signed;
}
