/** Every event the projector handles, by name. */
import type { EventName, EventPayload } from '@gx/chaincode';
import type { EventContext, ReadModelChanges } from '../read-model-changes.js';
import { genesisDistributed } from './genesis.js';
import type { HandlerTable } from './handler.js';
import { systemBootstrapped } from './system.js';
import { transferCompleted } from './transfers.js';
import { userCreated, userStatusChanged } from './users.js';

export type { EventHandler, HandlerTable } from './handler.js';
export { SystemStateKey } from './system.js';

/** Event name → handler. Adding an event to the chaincode's schemas without a handler fails to compile. */
export const handlers: HandlerTable = {
  SystemBootstrapped: systemBootstrapped,
  UserCreated: userCreated,
  UserStatusChanged: userStatusChanged,
  GenesisDistributed: genesisDistributed,
  TransferCompleted: transferCompleted,
};

/** A validated event whose name and payload the compiler can correlate with the handler table. */
type EventOf<N extends EventName> = { [K in N]: { name: K; payload: EventPayload<K> } }[N];

/** Records the changes of one validated event. */
export function projectEvent<N extends EventName>(
  event: EventOf<N>,
  context: EventContext,
  changes: ReadModelChanges,
): void {
  const handler: HandlerTable[N] = handlers[event.name];
  handler.project(event.payload, context, changes);
}
