/**
 * A server span per HTTP request (the root of a command's trace, or the child of the caller's `traceparent`),
 * active while the route handler runs, so the outbox stores it with the command (src/outbox). Two hooks and a
 * handler wrapper instead of @fastify/otel, which would add the instrumentation framework and a span per hook.
 *
 * Installed only when tracing is on: with it off, requests run no tracing code at all.
 */
import { type Context, context, propagation, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { endSpan, tracer, tracingEnabled } from '../observability/tracing.js';

/** Adds the request span hooks to `app` (before its routes are registered); a no-op when tracing is off. */
export function traceRequests(app: FastifyInstance): void {
  if (!tracingEnabled()) return;
  const requests = new WeakMap<FastifyRequest, { span: Span; context: Context }>();

  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: request.url.split('?')[0] },
      },
      parent,
    );
    requests.set(request, { span, context: trace.setSpan(parent, span) });
    done();
  });

  // The body arrives on the socket's own callbacks, outside any context entered in onRequest: the handler
  // itself is run inside the request's context.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function tracedHandler(this: FastifyInstance, request, reply) {
      const traced = requests.get(request);
      return traced ? context.with(traced.context, handler, this, request, reply) : handler.call(this, request, reply);
    };
  });

  app.addHook('onResponse', (request, reply, done) => {
    const traced = requests.get(request);
    if (traced) {
      const route = request.routeOptions.url;
      if (route !== undefined) {
        traced.span.updateName(`${request.method} ${route}`);
        traced.span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      traced.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      endSpan(traced.span, reply.statusCode >= 500 ? new Error(`HTTP ${reply.statusCode}`) : undefined);
    }
    done();
  });

  app.addHook('onRequestAbort', (request, done) => {
    const traced = requests.get(request);
    if (traced) endSpan(traced.span, new Error('client aborted the request'));
    done();
  });
}
