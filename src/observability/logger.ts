/**
 * Structured JSON logs (pino) for every role. Secrets are redacted by path so that a logged request,
 * config or error never carries a password, token or key. A request's lines carry its id (`reqId`, through
 * Fastify's request.log); a command's carry its `commandId`.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Errors thrown by clients (node-postgres, ioredis, fetch, gRPC) can carry the client itself, its connection
 * settings or the headers of the call: their values never reach a log line, whatever the error's depth.
 */
const ERROR_PARTS = ['client', 'config', 'headers', 'request', 'response', 'options', 'connectionString'];

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  '*.documentNumber',
  'connectionString',
  '*.connectionString',
  'config.auth',
  'config.database',
  'config.fabric.identities',
  ...ERROR_PARTS.flatMap((part) => [`err.${part}`, `err.cause.${part}`, `error.${part}`]),
];

export interface LoggerOptions {
  level: string;
  role: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read the lines back. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { role: options.role, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
