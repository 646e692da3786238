/**
 * The `gx api` command line: which services to serve and the rate limits.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { API_SERVICES, parseServices } from './services.js';

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number (0 = no limit)');
  return parsed;
}

/** Adds `gx api` to the program. */
export function addApiCommand(program: Command): void {
  program
    .command('api')
    .description('Serve the HTTP API (docs/api.md) on GX_HTTP_HOST:GX_HTTP_PORT.')
    .option(
      '--services <list>',
      `comma-separated services to serve (${API_SERVICES.join(', ')}); default all`,
      (value: string) => {
        try {
          return parseServices(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .option('--workers <n>', 'API processes sharing the port (needs DATABASE_URL or PGHOST); default 1', count)
    .option(
      '--rate-limit-per-ip <n>',
      'anonymous requests per window per client IP (0 = off; GX_RATE_LIMIT_PER_IP)',
      count,
    )
    .option('--rate-limit-per-user <n>', 'requests per window per user (0 = off; GX_RATE_LIMIT_PER_USER)', count)
    .option(
      '--rate-limit-auth-per-ip <n>',
      'login/register/refresh requests per window per IP (0 = off; GX_RATE_LIMIT_AUTH_PER_IP)',
      count,
    )
    .option('--rate-limit-window-ms <n>', 'the rate-limit window in ms (GX_RATE_LIMIT_WINDOW_MS)', count)
    .action(
      (options: {
        services?: ReturnType<typeof parseServices>;
        rateLimitPerIp?: number;
        rateLimitPerUser?: number;
        rateLimitAuthPerIp?: number;
        rateLimitWindowMs?: number;
        workers?: number;
      }) =>
        // Loaded on demand: the other roles, which start from the same CLI, never load the API.
        import('./run-api.js').then(({ runApi }) =>
          runApi({
            ...(options.workers ? { workers: options.workers } : {}),
            ...(options.services ? { services: options.services } : {}),
            rateLimits: {
              ...(options.rateLimitPerIp !== undefined ? { perIp: options.rateLimitPerIp } : {}),
              ...(options.rateLimitPerUser !== undefined ? { perUser: options.rateLimitPerUser } : {}),
              ...(options.rateLimitAuthPerIp !== undefined ? { authPerIp: options.rateLimitAuthPerIp } : {}),
              ...(options.rateLimitWindowMs ? { windowMs: options.rateLimitWindowMs } : {}),
            },
          }),
        ),
    );
}
