import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** A logger whose lines are kept, synchronously, for reading back. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', role: 'spec', destination }), text: () => lines.join('') };
}

describe('logged errors pass through redaction (issue 29)', () => {
  it('drops credentials an error carries: a client with its connection settings, request and response headers', () => {
    const { logger, text } = capture();
    const error = Object.assign(new Error('connect ECONNREFUSED'), {
      client: { connectionParameters: { password: 'pg-secret-1' }, password: 'pg-secret-2' },
      config: { headers: { authorization: 'Bearer header-secret-3' } },
      headers: { authorization: 'Bearer header-secret-4', cookie: 'sid=cookie-secret-5' },
      request: { headers: { authorization: 'Bearer header-secret-6' } },
      response: { headers: { 'set-cookie': 'sid=cookie-secret-7' } },
    });
    logger.error({ err: error }, 'request failed');
    logger.warn({ err: new Error('wrapped', { cause: error }) }, 'wrapped failure');
    logger.info({ headers: { authorization: 'Bearer header-secret-8' } }, 'outgoing call');
    logger.info({ config: { database: { connectionString: 'postgres://u:url-secret-9@db/gx' } } }, 'config');

    const written = text();
    expect(written).toContain('connect ECONNREFUSED');
    for (let n = 1; n <= 9; n += 1) expect(written).not.toMatch(new RegExp(`secret-${n}\\b`));
  });
});
