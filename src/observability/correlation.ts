/**
 * A correlation id that follows one unit of work (an HTTP request, a claimed command) through async calls,
 * so every log line of that work can carry it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const storage = new AsyncLocalStorage<string>();

/** Runs `work` with `id` (or a new one) as the current correlation id. */
export function withCorrelationId<T>(id: string | undefined, work: () => T): T {
  return storage.run(id ?? randomUUID(), work);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
