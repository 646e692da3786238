/**
 * The `protos.Deliver` service's DeliverFiltered: a stream of filtered blocks (each transaction's id, type and
 * validation code, and its chaincode event without payload), as a Fabric 2.5 peer serves it. A client learns
 * the outcome of every transaction it submitted from this one stream instead of one CommitStatus call each.
 *
 * As on a peer (common/deliver): the request is a signed `DELIVER_SEEK_INFO` envelope; a malformed one is
 * answered with status BAD_REQUEST, an unknown channel with NOT_FOUND, a creator or signature the channel does
 * not accept with FORBIDDEN; blocks go out from the start position (oldest, newest, a number, or the next
 * commit) through the stop position, then SUCCESS; the client may send another seek on the same stream.
 * Deliver (full blocks) and DeliverWithPrivateData are not served (UNIMPLEMENTED): devnet keeps its own block
 * records, not `common.Block` messages.
 */
import { status as grpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import { common, orderer, peer } from '@hyperledger/fabric-protos';
import type { IDeliverServer } from '@hyperledger/fabric-protos/lib/peer/events_grpc_pb.js';
import { type BlockFeed, followBlocks } from './chaincode-events.js';
import { GatewayStatusError } from './gateway-errors.js';
import type { BlockRecord, LedgerStore } from './ledger-store.js';
import { devnetRequests } from './metrics.js';
import { IdentityError, Membership } from './msp.js';
import { OpenStreams } from './open-streams.js';

type Envelope = InstanceType<typeof common.Envelope>;
type DeliverResponse = InstanceType<typeof peer.DeliverResponse>;
type StatusCode = common.StatusMap[keyof common.StatusMap];

/** What the service works with. */
export interface DeliverServiceContext {
  channel: string;
  store: LedgerStore;
  feed: BlockFeed;
  membership: Membership;
}

/** The service implementation plus the handle the network needs for faults and shutdown. */
export interface DeliverServiceHandle {
  implementation: IDeliverServer;
  /** Ends every open stream with UNAVAILABLE. */
  dropStreams(reason: string): void;
}

/** A refused seek request: answered with a status response, as a peer does. */
class SeekRefused extends Error {
  constructor(
    readonly status: StatusCode,
    message: string,
  ) {
    super(message);
  }
}

/** A seek request, checked: the blocks to send and whether to wait for blocks not yet committed. */
interface Seek {
  start: number;
  /** Last block to send (inclusive); Number.MAX_SAFE_INTEGER for "forever". */
  stop: number;
  waitForBlocks: boolean;
}

const Status = common.Status;

/** Builds the service over `context`. */
export function createDeliverService(context: DeliverServiceContext): DeliverServiceHandle {
  const streams = new OpenStreams();
  /** The response for the newest block, shared by every stream that sends it. */
  let latest: { number: number; response: DeliverResponse } | undefined;

  const filteredResponse = (block: BlockRecord): DeliverResponse => {
    if (latest?.number === block.number) return latest.response;
    const response = new peer.DeliverResponse();
    response.setFilteredBlock(filteredBlock(context.channel, block));
    if (block.number >= (latest?.number ?? -1)) latest = { number: block.number, response };
    return response;
  };

  /** Decodes, authenticates and positions a seek request; throws {@link SeekRefused}. */
  async function seekOf(envelope: Envelope): Promise<Seek> {
    let payload: InstanceType<typeof common.Payload>;
    let channelHeader: InstanceType<typeof common.ChannelHeader>;
    let signatureHeader: InstanceType<typeof common.SignatureHeader>;
    let seekInfo: InstanceType<typeof orderer.SeekInfo>;
    try {
      payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      const header = payload.getHeader();
      if (!header) throw new SeekRefused(Status.BAD_REQUEST, 'envelope has no header');
      channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
      signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
      seekInfo = orderer.SeekInfo.deserializeBinary(payload.getData_asU8());
    } catch (error) {
      if (error instanceof SeekRefused) throw error;
      throw new SeekRefused(Status.BAD_REQUEST, `malformed seek request: ${(error as Error).message}`);
    }
    if (channelHeader.getType() !== common.HeaderType.DELIVER_SEEK_INFO) {
      throw new SeekRefused(Status.BAD_REQUEST, `invalid header type ${channelHeader.getType()}`);
    }
    if (channelHeader.getChannelId() !== context.channel) {
      throw new SeekRefused(Status.NOT_FOUND, `channel '${channelHeader.getChannelId()}' not found`);
    }
    try {
      const creator = context.membership.creator(signatureHeader.getCreator_asU8());
      if (!(await Membership.verifiesInBackground(creator, envelope.getPayload_asU8(), envelope.getSignature_asU8()))) {
        throw new IdentityError('the request signature is invalid');
      }
    } catch (error) {
      if (error instanceof IdentityError) throw new SeekRefused(Status.FORBIDDEN, error.message);
      throw error;
    }
    const height = context.store.height;
    const start = position(seekInfo.getStart(), height, 'start');
    const stop = position(seekInfo.getStop(), height, 'stop');
    if (stop < start) throw new SeekRefused(Status.BAD_REQUEST, `stop block ${stop} is before start block ${start}`);
    const waitForBlocks = seekInfo.getBehavior() !== orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY;
    if (!waitForBlocks && start >= height) throw new SeekRefused(Status.NOT_FOUND, `block ${start} not found`);
    return { start, stop, waitForBlocks };
  }

  const deliverFiltered = (call: ServerDuplexStream<Envelope, DeliverResponse>): void => {
    const { stopped, isClosed, write, finish, drop } = streams.track(call);
    const sendStatus = (status: StatusCode) => {
      const response = new peer.DeliverResponse();
      response.setStatus(status);
      return write(response);
    };

    // Seek requests are served one after another, as a peer's deliver handler reads them.
    let queue: Promise<void> = Promise.resolve();
    call.on('data', (envelope: Envelope) => {
      queue = queue.then(async () => {
        if (isClosed()) return;
        let seek: Seek;
        try {
          seek = await seekOf(envelope);
        } catch (error) {
          if (!(error instanceof SeekRefused)) throw error;
          devnetRequests.inc({ method: 'DeliverFiltered', status: String(error.status) });
          await sendStatus(error.status);
          return;
        }
        devnetRequests.inc({ method: 'DeliverFiltered', status: 'OK' });
        const done = await deliver(seek);
        if (!isClosed()) await sendStatus(done ? Status.SUCCESS : Status.NOT_FOUND);
      });
      queue.catch((error: unknown) => drop(error instanceof Error ? error.message : String(error)));
    });
    call.on('end', () => {
      queue.then(() => {
        if (!isClosed()) {
          finish();
          call.end();
        }
      });
    });

    /** Sends the seek's blocks; true once the stop block went out, false when a block was not ready. */
    const deliver = async (seek: Seek): Promise<boolean> => {
      let reachedStop = false;
      let notReady = false;
      const through = new Promise<void>((resolve) => {
        followBlocks(
          context.store,
          context.feed,
          seek.start,
          {
            get closed() {
              return isClosed() || reachedStop || notReady;
            },
            async send(block) {
              await write(filteredResponse(block));
              if (block.number >= seek.stop) {
                reachedStop = true;
                resolve();
              } else if (!seek.waitForBlocks && block.number + 1 >= context.store.height) {
                notReady = true;
                resolve();
              }
            },
          },
          stopped,
        ).then(
          () => resolve(),
          (error: unknown) => {
            drop(error instanceof Error ? error.message : String(error));
            resolve();
          },
        );
      });
      await Promise.race([through, stopped]);
      return reachedStop;
    };
  };

  /** Full blocks are not served: devnet keeps its own block records, not `common.Block` messages. */
  const unimplemented = (method: string) => (call: ServerDuplexStream<Envelope, DeliverResponse>) => {
    devnetRequests.inc({ method, status: 'UNIMPLEMENTED' });
    call.emit(
      'error',
      new GatewayStatusError(
        grpcStatus.UNIMPLEMENTED,
        `devnet does not serve ${method}; use DeliverFiltered`,
      ).toServiceError(),
    );
  };

  return {
    implementation: {
      deliver: unimplemented('Deliver'),
      deliverFiltered,
      deliverWithPrivateData: unimplemented('DeliverWithPrivateData'),
    },
    dropStreams: (reason) => streams.dropAll(reason),
  };
}

/** The block a seek position names on a ledger of `height` blocks. */
function position(seek: InstanceType<typeof orderer.SeekPosition> | undefined, height: number, which: string): number {
  if (!seek) throw new SeekRefused(Status.BAD_REQUEST, `seek info has no ${which} position`);
  if (seek.hasOldest()) return 0;
  if (seek.hasNewest()) return Math.max(0, height - 1);
  if (seek.hasNextCommit()) return height;
  if (seek.hasSpecified()) return Number(seek.getSpecified()?.getNumber() ?? 0);
  throw new SeekRefused(Status.BAD_REQUEST, `unknown ${which} position`);
}

/** A block as DeliverFiltered shows it: transaction ids, types and validation codes, events without payload. */
export function filteredBlock(channel: string, block: BlockRecord): InstanceType<typeof peer.FilteredBlock> {
  const filtered = new peer.FilteredBlock();
  filtered.setChannelId(channel);
  filtered.setNumber(block.number);
  filtered.setFilteredTransactionsList(
    block.transactions.map((tx) => {
      const transaction = new peer.FilteredTransaction();
      transaction.setTxid(tx.txId);
      transaction.setType(common.HeaderType.ENDORSER_TRANSACTION);
      transaction.setTxValidationCode(tx.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
      if (tx.event) {
        const event = new peer.ChaincodeEvent();
        event.setChaincodeId(tx.event.chaincode);
        event.setTxId(tx.txId);
        event.setEventName(tx.event.name);
        const action = new peer.FilteredChaincodeAction();
        action.setChaincodeEvent(event);
        const actions = new peer.FilteredTransactionActions();
        actions.setChaincodeActionsList([action]);
        transaction.setTransactionActions(actions);
      }
      return transaction;
    }),
  );
  return filtered;
}
