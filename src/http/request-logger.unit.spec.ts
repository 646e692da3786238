import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { REQUEST_LOG_DEFAULTS, type RequestLogSettings } from '../config.js';
import { AccessLogController, accessLine, lazyChildLogger } from './request-logger.js';

function rootLogger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, destination), lines };
}

describe('lazyChildLogger', () => {
  it('makes no child while nothing is written at an enabled level', () => {
    const { logger, lines } = rootLogger('warn');
    const child = vi.spyOn(logger, 'child');
    const log = lazyChildLogger(logger, { reqId: 'r-1' }, {});
    log.info('incoming request');
    log.debug({ a: 1 }, 'detail');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(log.level).toBe('warn');
  });

  it("writes through pino's child, with the bindings, once a line is written", () => {
    const { logger, lines } = rootLogger('info');
    const log = lazyChildLogger(logger, { reqId: 'r-2' }, {});
    log.info({ statusCode: 200 }, 'request completed');
    log.error(new Error('boom'), 'request failed');
    log.child({ extra: true }).warn('nested');
    expect(lines.map((line) => [line.reqId, line.msg])).toEqual([
      ['r-2', 'request completed'],
      ['r-2', 'request failed'],
      ['r-2', 'nested'],
    ]);
    expect(lines[0]?.statusCode).toBe(200);
    expect(lines[1]?.err).toMatchObject({ message: 'boom' });
    expect(lines[2]?.extra).toBe(true);
  });

  it('honours a level set on it, and child options given up front', () => {
    const { logger, lines } = rootLogger('warn');
    const log = lazyChildLogger(logger, { reqId: 'r-3' }, {});
    log.level = 'debug';
    log.debug('now visible');
    const quiet = lazyChildLogger(logger, { reqId: 'r-4' }, { level: 'error' });
    quiet.warn('hidden');
    expect(lines.map((line) => line.msg)).toEqual(['now visible']);
  });
});

describe('AccessLogController', () => {
  it('writes one info line per request, naming method, URL, status and time; the incoming line at debug', async () => {
    const { logger, lines } = rootLogger('info');
    const app = Fastify({
      loggerInstance: logger,
      logController: new AccessLogController(),
      childLoggerFactory: (parent, bindings, options) => lazyChildLogger(parent as typeof logger, bindings, options),
    });
    app.get('/ok', async () => ({ ok: true }));
    await app.ready();
    await app.inject({ method: 'GET', url: '/ok?x=1' });
    await app.close();
    const requestLines = lines.filter((line) => line.reqId !== undefined);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: '/ok?x=1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });

    const debug = rootLogger('debug');
    const verbose = Fastify({ loggerInstance: debug.logger, logController: new AccessLogController() });
    verbose.get('/ok', async () => ({ ok: true }));
    await verbose.inject({ method: 'GET', url: '/ok' });
    await verbose.close();
    expect(debug.lines.filter((line) => line.reqId !== undefined).map((line) => line.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
  });
});

describe('accessLine: which requests get a line', () => {
  const sampled: RequestLogSettings = { level: 'info', sampleRate: 0.25, slowMs: 500 };
  const ok = { statusCode: 200, responseTimeMs: 3, failed: false };

  it('samples ordinary requests at the rate, at the configured level', () => {
    expect(accessLine(ok, sampled, () => 0.1)).toEqual({ level: 'info', message: 'request completed' });
    expect(accessLine(ok, sampled, () => 0.25)).toBeUndefined();
    expect(accessLine(ok, sampled, () => 0.9)).toBeUndefined();
    expect(accessLine({ ...ok, statusCode: 404 }, sampled, () => 0.9)).toBeUndefined();
    expect(accessLine(ok, { ...sampled, level: 'debug' }, () => 0)).toEqual({
      level: 'debug',
      message: 'request completed',
    });
  });

  it('always logs failures at error and slow requests at warn, whatever the rate or level', () => {
    const never: RequestLogSettings = { level: 'silent', sampleRate: 0, slowMs: 500 };
    const noDraw = () => {
      throw new Error('a failure or a slow request must not depend on the draw');
    };
    expect(accessLine({ ...ok, statusCode: 503 }, never, noDraw)).toEqual({
      level: 'error',
      message: 'request errored',
    });
    expect(accessLine({ ...ok, failed: true }, never, noDraw)).toEqual({ level: 'error', message: 'request errored' });
    expect(accessLine({ ...ok, responseTimeMs: 500 }, never, noDraw)).toEqual({
      level: 'warn',
      message: 'slow request',
    });
    expect(accessLine({ ...ok, responseTimeMs: 499 }, never, noDraw)).toBeUndefined();
  });

  it('draws nothing at rate 1 or 0', () => {
    const noDraw = () => {
      throw new Error('no draw expected');
    };
    expect(accessLine(ok, { ...sampled, sampleRate: 1 }, noDraw)?.message).toBe('request completed');
    expect(accessLine(ok, { ...sampled, sampleRate: 0 }, noDraw)).toBeUndefined();
  });

  it('keeps about the sampled share over many requests', () => {
    let seed = 7;
    // A fixed linear congruential sequence: the share is exact for this seed, not a statistical bound.
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const logged = Array.from({ length: 10_000 }, () => accessLine(ok, sampled, random)).filter(Boolean).length;
    expect(logged).toBeGreaterThan(2_300);
    expect(logged).toBeLessThan(2_700);
  });
});

describe('AccessLogController with sampling', () => {
  it('writes no line for a sampled-out request, and always one for a 500 and a slow request', async () => {
    const { logger, lines } = rootLogger('info');
    const app = Fastify({
      loggerInstance: logger,
      logController: new AccessLogController({ level: 'info', sampleRate: 0, slowMs: 50 }),
    });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/fail', async (_request, reply) => reply.code(500).send({ error: 'x' }));
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return { ok: true };
    });
    await app.inject({ method: 'GET', url: '/ok' });
    await app.inject({ method: 'GET', url: '/fail' });
    await app.inject({ method: 'GET', url: '/slow' });
    await app.close();
    const requestLines = lines.filter((line) => line.reqId !== undefined);
    expect(requestLines.map((line) => [line.level, line.msg, (line.req as { url: string }).url])).toEqual([
      [50, 'request errored', '/fail'],
      [40, 'slow request', '/slow'],
    ]);
  });

  it('defaults to every request outside production', () => {
    expect(REQUEST_LOG_DEFAULTS).toEqual({ level: 'info', sampleRate: 1, slowMs: 1000 });
  });
});
