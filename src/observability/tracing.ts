/**
 * OpenTelemetry tracing: one trace per command, from the HTTP request (src/http/tracing.ts) through the
 * outbox row, which stores the request's W3C trace context (`trace_context`, migration 0008), the
 * submitter's Fabric calls, to the projector's write of the read model. Spans go to an OTLP collector
 * (`@opentelemetry/exporter-trace-otlp-proto`), configured by the standard `OTEL_*` variables.
 *
 * Off unless configured (src/config.ts, `tracing.enabled`). Off, the SDK is never loaded: `tracer` is the
 * API's no-op, {@link tracingEnabled} is false, and every traced path skips its tracing work (no hooks, no
 * context captured or stored, no lookups), so an untraced deployment pays nothing for it.
 *
 * Contexts travel explicitly where work leaves the request's call chain (a row in the outbox, a claimed
 * command, a projected event); inside the API's route handlers the SDK's AsyncLocalStorage context
 * manager carries the request's span to the outbox.
 */
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The W3C trace context headers (`traceparent`, and `tracestate` when set) of a span, as stored on a row. */
export type TraceCarrier = Record<string, string>;

/** The one tracer of the backend; the API's no-op until {@link startTracing} registers the SDK. */
export const tracer = trace.getTracer('gx-protocol');

let running: { shutdown(): Promise<void> } | undefined;

/** Whether this process records spans. */
export function tracingEnabled(): boolean {
  return running !== undefined;
}

export interface TracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME sets it, e.g. `gx-api`. */
  serviceName: string;
  /** Where spans go; default one batching processor to the OTLP exporter. Specs pass an in-memory exporter. */
  spanProcessors?: SpanProcessor[];
}

/**
 * Registers the SDK for this process: the tracer provider (sampler from OTEL_TRACES_SAMPLER and _ARG,
 * default parent-based always-on), the AsyncLocalStorage context manager and the W3C propagator. Loaded
 * here, on demand, so a process with tracing off never loads it.
 */
export async function startTracing(options: TracingOptions): Promise<void> {
  if (running) throw new Error('tracing is already started in this process');
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, resources, conventions] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-proto'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  const resource = resources
    .resourceFromAttributes({ [conventions.ATTR_SERVICE_NAME]: options.serviceName })
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: options.spanProcessors ?? [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  running = {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Sends what is buffered and unregisters the SDK (a role's last step); a no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  const stopping = running;
  running = undefined;
  await stopping?.shutdown();
}

/** The active span's trace context, to store with work that leaves the call chain; undefined when off. */
export function currentTraceCarrier(): TraceCarrier | undefined {
  if (!running) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent === undefined ? undefined : carrier;
}

/** The context a stored carrier names, to parent spans on; undefined when off or nothing was stored. */
export function contextOf(carrier: TraceCarrier | null | undefined): Context | undefined {
  if (!running || !carrier) return undefined;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Ends a span with an error status when `error` is set. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/**
 * Runs `work` in a span named `name`, the child of `parent`; without a parent (tracing off, or a command
 * stored untraced) it only runs `work`.
 */
export async function inSpan<T>(
  parent: Context | undefined,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (parent === undefined) return work(undefined);
  const span = tracer.startSpan(name, options, parent);
  try {
    const result = await work(span);
    span.end();
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}
