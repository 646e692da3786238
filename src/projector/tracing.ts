/**
 * The projector's part of a command's trace: a span per applied event whose command carries a trace
 * context, the child of the request that wrote the command (found through the outbox row of the event's
 * request id), from the start of the batch's transaction to its commit. Made only when tracing is on.
 */
import { SpanKind } from '@opentelemetry/api';
import type pg from 'pg';
import { contextOf, endSpan, tracer } from '../observability/tracing.js';
import { findTraceContexts } from '../outbox/trace-context.js';
import type { ValidEvent } from './apply-batch.js';

export class ProjectionSpans {
  readonly #startTime = new Date();
  readonly #spans: Array<ReturnType<typeof tracer.startSpan>> = [];

  constructor(
    private readonly projection: string,
    private readonly events: readonly ValidEvent[],
  ) {}

  /** Looks up the events' commands in the batch's transaction and opens their spans (from the batch's start). */
  async start(client: pg.ClientBase): Promise<void> {
    const requestIds = [...new Set(this.events.map(({ event }) => event.payload.requestId))];
    const carriers = await findTraceContexts(client, requestIds);
    for (const { event, raw } of this.events) {
      const parent = contextOf(carriers.get(event.payload.requestId));
      if (parent === undefined) continue;
      this.#spans.push(
        tracer.startSpan(
          `project ${event.name}`,
          {
            kind: SpanKind.CONSUMER,
            startTime: this.#startTime,
            attributes: {
              'gx.projection': this.projection,
              'gx.request_id': event.payload.requestId,
              'gx.fabric.tx_id': raw.transactionId,
              'gx.fabric.block': Number(raw.blockNumber),
            },
          },
          parent,
        ),
      );
    }
  }

  /** Ends the spans once the batch committed (or failed: `error`). */
  end(error?: unknown): void {
    for (const span of this.#spans) endSpan(span, error);
  }
}
