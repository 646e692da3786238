/**
 * Builders of chaincode events exactly as the ledger delivers them (name + JSON bytes), for the projector's
 * specifications and its benchmark. Every builder takes overrides so a test states only what it is about.
 */
import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '@gx/chaincode';
import type { PositionedEvent } from '../../src/projector/apply-batch.js';

/** An event before it has a place in the ledger. */
export interface UnplacedEvent {
  eventName: string;
  payload: Uint8Array;
}

const TIMESTAMP = '2026-01-01T00:00:00.000Z';

function encode<N extends EventName>(name: N, payload: EventPayload<N>): UnplacedEvent {
  return { eventName: name, payload: Buffer.from(JSON.stringify(payload)) };
}

export function systemBootstrapped(
  overrides: Partial<Extract<EventPayload<'SystemBootstrapped'>, { version: 1 }>> = {},
): UnplacedEvent {
  return encode('SystemBootstrapped', {
    version: 1,
    requestId: randomUUID(),
    params: {
      tokenName: 'GX Coin',
      tokenSymbol: 'GXC',
      decimals: 6,
      genesisTiers: [{ recipients: 100, amount: '1000000' }],
      transferFee: { basisPoints: 10, collector: 'SYSTEM_FEES' },
    },
    bootstrappedBy: 'admin',
    timestamp: TIMESTAMP,
    ...overrides,
  });
}

/** UserCreated as version 1 emitted it (the profile id in clear); see {@link userCreatedV2} for today's. */
export function userCreated(
  fields: { fabricUserId: string; profileId: string } & Partial<Extract<EventPayload<'UserCreated'>, { version: 1 }>>,
): UnplacedEvent {
  return encode('UserCreated', {
    version: 1,
    requestId: randomUUID(),
    countryCode: 'MY',
    accountType: 0,
    status: 'ACTIVE',
    wallet: { fabricUserId: fields.fabricUserId, balance: '0' },
    timestamp: TIMESTAMP,
    ...fields,
  });
}

/** UserCreated as gxtv3 emits it today: the request id of its CREATE_USER command and the profile's digest. */
export function userCreatedV2(
  fields: { fabricUserId: string; requestId: string; profileDigest: string } & Partial<
    Extract<EventPayload<'UserCreated'>, { version: 2 }>
  >,
): UnplacedEvent {
  return encode('UserCreated', {
    version: 2,
    countryCode: 'MY',
    accountType: 0,
    status: 'ACTIVE',
    wallet: { fabricUserId: fields.fabricUserId, balance: '0' },
    timestamp: TIMESTAMP,
    ...fields,
  });
}

export function userStatusChanged(
  fields: { fabricUserId: string; status: 'ACTIVE' | 'LOCKED' } & Partial<EventPayload<'UserStatusChanged'>>,
): UnplacedEvent {
  return encode('UserStatusChanged', {
    version: 1,
    requestId: randomUUID(),
    reason: 'compliance review',
    timestamp: TIMESTAMP,
    ...fields,
  });
}

export function genesisDistributed(
  fields: { fabricUserId: string; amount: string; balance: string } & Partial<EventPayload<'GenesisDistributed'>>,
): UnplacedEvent {
  return encode('GenesisDistributed', {
    version: 1,
    requestId: randomUUID(),
    tier: 1,
    totalSupply: fields.amount,
    timestamp: TIMESTAMP,
    ...fields,
  });
}

export function transferCompleted(
  fields: {
    from: string;
    to: string;
    amount: string;
    fromBalance: string;
    toBalance: string;
  } & Partial<Extract<EventPayload<'TransferCompleted'>, { version: 1 }>>,
): UnplacedEvent {
  return encode('TransferCompleted', {
    version: 1,
    requestId: randomUUID(),
    fee: '0',
    feeCollector: 'SYSTEM_FEES',
    feeCollectorBalance: '0',
    memo: '',
    timestamp: TIMESTAMP,
    ...fields,
  });
}

/** An event with a name and bytes of the caller's choosing (invalid or unknown events). */
export function rawEvent(eventName: string, body: string): UnplacedEvent {
  return { eventName, payload: Buffer.from(body) };
}

/**
 * Places events into consecutive blocks with unique transaction ids, as a ledger would:
 * `ledger.block(a, b)` puts a and b in the next block.
 */
export class EventLedger {
  private nextBlock: bigint;
  private nextTx = 0;
  readonly events: PositionedEvent[] = [];

  constructor(firstBlock = 1n) {
    this.nextBlock = firstBlock;
  }

  /** Appends one block holding `events` (in order) and returns them placed. */
  block(...events: UnplacedEvent[]): PositionedEvent[] {
    const blockNumber = this.nextBlock;
    this.nextBlock += 1n;
    const placed = events.map((event, eventIndex) => ({
      ...event,
      blockNumber,
      eventIndex,
      transactionId: `tx-${blockNumber}-${eventIndex}-${(this.nextTx++).toString(16)}`,
    }));
    this.events.push(...placed);
    return placed;
  }

  /** The number of blocks so far (the next block's number). */
  height(): bigint {
    return this.nextBlock;
  }
}
