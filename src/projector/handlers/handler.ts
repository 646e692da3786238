/**
 * What a projection handler is: data, not a class hierarchy. A handler names its event and turns one
 * validated event into read-model changes; the batch writer decides how those reach SQL.
 */
import type { EventName, EventPayload } from '@gx/chaincode';
import type { EventContext, ReadModelChanges } from '../read-model-changes.js';

/** Projects one event type. `project` is pure: it only records changes. */
export interface EventHandler<N extends EventName> {
  event: N;
  project(payload: EventPayload<N>, context: EventContext, changes: ReadModelChanges): void;
}

/** One handler per event name: the compiler insists that every event of the chaincode is handled. */
export type HandlerTable = { [N in EventName]: EventHandler<N> };
