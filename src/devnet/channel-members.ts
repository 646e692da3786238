/**
 * The channel's member organizations as devnet's peer sees them: devnet's own and, on request, others, each
 * with a CA of its own. A member of another organization passes the peer's checks, as on a real multi-
 * organization channel, so what it may do is left to the chaincode: this is how tests show that gxtv3 refuses
 * a foreign organization's identities (chaincode/src/authorization.ts).
 */
import { msp } from '@hyperledger/fabric-protos';
import { Membership, type VerifiedCreator } from './msp.js';

/** devnet's own organization (the base class's checks and answers) plus further member organizations. */
export class ChannelMembers extends Membership {
  readonly #others: ReadonlyMap<string, Membership>;

  /** `others`: MSP id → PEM of that organization's CA. */
  constructor(mspId: string, caCertPem: string, others: ReadonlyMap<string, string> = new Map()) {
    super(mspId, caCertPem);
    this.#others = new Map([...others].map(([id, caPem]) => [id, new Membership(id, caPem)]));
  }

  override creator(serializedIdentity: Uint8Array): VerifiedCreator {
    // One organization (every devnet but those of authorization tests): no second decoding on the hot path.
    if (this.#others.size === 0) return super.creator(serializedIdentity);
    const mspId = msp.SerializedIdentity.deserializeBinary(serializedIdentity).getMspid();
    const other = this.#others.get(mspId);
    return other ? other.creator(serializedIdentity) : super.creator(serializedIdentity);
  }
}
