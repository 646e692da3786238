/**
 * Fault switches. The gateway service and the orderer consult them; the transport-level faults (dropping
 * streams and connections, refusing connections) are carried out by the network through the callbacks.
 */
import type { DevnetFaults } from './index.js';

/** The transport actions the network performs for faults. */
export interface TransportFaultActions {
  dropStreams(): void;
  refuseConnections(ms: number): Promise<void>;
  stopPeer(mspId: string): Promise<void>;
  startPeer(mspId: string): Promise<void>;
}

/** The switches, and the {@link DevnetFaults} face tests use. */
export class FaultState implements DevnetFaults {
  endorsementDelayMs = 0;
  #failEndorsements = 0;
  #forcedConflicts = 0;
  readonly #transport: TransportFaultActions;

  constructor(transport: TransportFaultActions) {
    this.#transport = transport;
  }

  dropStreams(): void {
    this.#transport.dropStreams();
  }
  refuseConnections(ms: number): Promise<void> {
    return this.#transport.refuseConnections(ms);
  }
  stopPeer(mspId: string): Promise<void> {
    return this.#transport.stopPeer(mspId);
  }
  startPeer(mspId: string): Promise<void> {
    return this.#transport.startPeer(mspId);
  }
  delayEndorsement(ms: number): void {
    this.endorsementDelayMs = Math.max(0, ms);
  }
  failEndorsements(n: number): void {
    this.#failEndorsements = Math.max(0, n);
  }
  forceMvccConflicts(n: number): void {
    this.#forcedConflicts = Math.max(0, n);
  }
  clear(): void {
    this.endorsementDelayMs = 0;
    this.#failEndorsements = 0;
    this.#forcedConflicts = 0;
  }

  /** Uses up one injected endorsement failure, if any is left. */
  takeEndorsementFailure(): boolean {
    if (this.#failEndorsements === 0) return false;
    this.#failEndorsements--;
    return true;
  }
  /** Uses up one forced MVCC conflict, if any is left. */
  takeForcedConflict(): boolean {
    if (this.#forcedConflicts === 0) return false;
    this.#forcedConflicts--;
    return true;
  }
}
