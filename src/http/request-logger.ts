/**
 * `request.log` made on demand. Fastify gives every request a pino child bound to its request id; with
 * redaction configured, making one serializes and redacts the bindings (~3 % of a read's CPU), mostly for
 * nothing: at `warn` and above a request that goes well logs no line. This child is made only when a line
 * is actually written (or a child of it is asked for), and then behaves exactly like pino's.
 */
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';
import { REQUEST_LOG_DEFAULTS, type RequestLogSettings } from '../config.js';

/** One small object per request; the child is made by the first line written at an enabled level. */
class LazyChildLogger implements FastifyBaseLogger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#real().level = level;
  }

  #real(): Logger {
    this.#child ??= this.parent.child(this.bindings);
    return this.#child;
  }

  #write(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return;
    const child = this.#real();
    (child[level] as (...line: unknown[]) => void).apply(child, args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

/** Fastify `childLoggerFactory` for a pino root logger. */
export function lazyChildLogger(parent: Logger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // A route-level log level or serializers change the child itself: make it now.
  if (Object.keys(options).length > 0) return parent.child(bindings, options);
  return new LazyChildLogger(parent, bindings);
}

/** What a completed request was, as far as the access-log decision is concerned. */
export interface RequestOutcome {
  statusCode: number;
  responseTimeMs: number;
  /** An error reached Fastify's request completion (the response failed or the handler threw). */
  failed: boolean;
}

/** The line a request gets: its level and message. */
export interface AccessLine {
  level: Level;
  message: 'request errored' | 'slow request' | 'request completed';
}

/**
 * Which line, if any, a completed request gets. Failures (5xx or an error) and slow requests are always
 * logged, so sampling never hides what an operator investigates; the rest are sampled at `sampleRate`, at
 * the configured level. `random` is Math.random's contract ([0, 1)), injectable for the specs.
 */
export function accessLine(
  outcome: RequestOutcome,
  settings: RequestLogSettings,
  random: () => number = Math.random,
): AccessLine | undefined {
  if (outcome.failed || outcome.statusCode >= 500) return { level: 'error', message: 'request errored' };
  if (outcome.responseTimeMs >= settings.slowMs) return { level: 'warn', message: 'slow request' };
  if (settings.level === 'silent' || settings.sampleRate <= 0) return undefined;
  if (settings.sampleRate < 1 && random() >= settings.sampleRate) return undefined;
  return { level: settings.level, message: 'request completed' };
}

/**
 * At most one access line per request (with the request's method, URL and client next to the status and
 * response time) instead of Fastify's two, chosen by {@link accessLine}; "incoming request" moves to `debug`.
 * At the default level the two lines took a read from ~72 to ~140 µs of CPU (bench/http.ts with GX_LOG_LEVEL
 * info); one line takes it to ~108 µs, and a request sampled out costs one random number.
 */
export class AccessLogController extends LogController {
  constructor(private readonly settings: RequestLogSettings = REQUEST_LOG_DEFAULTS) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const responseTime = reply.elapsedTime;
    const line = accessLine(
      { statusCode: reply.statusCode, responseTimeMs: responseTime, failed: Boolean(error) },
      this.settings,
    );
    if (line === undefined) return;
    reply.log[line.level]({ req: request, res: reply, err: error ?? undefined, responseTime }, line.message);
  }
}
