import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { AccessLogController, lazyChildLogger } from './request-logger.js';

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
