/**
 * The server streams a devnet service has open (ChaincodeEvents, DeliverFiltered): each is counted in
 * `devnet_event_streams`, ends once however it ends (client cancel, close, error, or devnet dropping it), and
 * can be dropped with UNAVAILABLE by a fault or at shutdown, as a peer going away would.
 */
import { status } from '@grpc/grpc-js';
import { GatewayStatusError } from './gateway-errors.js';
import { devnetEventStreams } from './metrics.js';

/** What of a grpc-js server stream (writable or duplex) the tracking needs. */
export interface ServerStreamCall<Response> {
  readonly cancelled: boolean;
  write(response: Response): boolean;
  on(event: 'cancelled' | 'close' | 'error', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
  emit(event: 'error', error: unknown): boolean;
}

/** One tracked stream. */
export interface OpenStream<Response> {
  /** Resolves when the stream has ended, for whatever reason. */
  readonly stopped: Promise<void>;
  /** True once the stream ended or the client cancelled it. */
  isClosed(): boolean;
  /** Writes a response, resolving once the transport accepts more (back-pressure). */
  write(response: Response): Promise<void>;
  /** Marks the stream ended (idempotent); the caller ends the call itself if it should. */
  finish(): void;
  /** Ends the stream with UNAVAILABLE and `reason` (idempotent). */
  drop(reason: string): void;
}

export class OpenStreams {
  readonly #drops = new Set<(reason: string) => void>();

  /** Starts tracking `call`. */
  track<Response>(call: ServerStreamCall<Response>): OpenStream<Response> {
    devnetEventStreams.inc();
    let closed = false;
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const finish = () => {
      if (closed) return;
      closed = true;
      this.#drops.delete(drop);
      devnetEventStreams.dec();
      stop();
    };
    const drop = (reason: string) => {
      if (closed) return;
      finish();
      call.emit('error', new GatewayStatusError(status.UNAVAILABLE, reason).toServiceError());
    };
    this.#drops.add(drop);
    call.on('cancelled', finish);
    call.on('close', finish);
    call.on('error', finish);
    return {
      stopped,
      isClosed: () => closed || call.cancelled,
      write: (response) =>
        new Promise<void>((resolve) => {
          if (call.write(response)) resolve();
          else call.once('drain', () => resolve());
        }),
      finish,
      drop,
    };
  }

  /** Drops every open stream with UNAVAILABLE. */
  dropAll(reason: string): void {
    for (const drop of [...this.#drops]) drop(reason);
  }
}
