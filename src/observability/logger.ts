/**
 * Structured JSON logs (pino) for every role. Secrets are redacted by path so that a logged request,
 * config or error never carries a password, token or key.
 */
import { type Logger, pino } from 'pino';
import { currentCorrelationId } from './correlation.js';

export type { Logger } from 'pino';

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  '*.documentNumber',
  'config.auth',
  'config.fabric.clientKey',
  'config.fabric.adminKey',
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
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId === undefined ? {} : { correlationId };
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
