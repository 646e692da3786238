/**
 * The worker's probe port (GX_METRICS_PORT): `/livez` (the process runs), `/readyz` (it can do its work:
 * database reachable, schema the code's or a compatible newer one; projection lag and standby are reported, not failed) and `/metrics`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { assertSchemaCompatible } from '../db/migrator.js';
import type { Logger } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { readProjectionLag } from './lag.js';
import type { ProjectorStatus } from './projector.js';

/** Lag beyond which `/readyz` says degraded. */
const DEGRADED_LAG_MS = 10_000;

export interface ProbeServerOptions {
  host?: string;
  port: number;
  pool: pg.Pool;
  logger: Logger;
  /** `active` (holds the projection lock) or `standby`, and the active loop's status. */
  role(): { role: 'active' | 'standby'; status?: ProjectorStatus };
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

async function readiness(options: ProbeServerOptions): Promise<{ code: number; body: unknown }> {
  const { role, status } = options.role();
  try {
    await assertSchemaCompatible(options.pool);
    const lag = await readProjectionLag(options.pool);
    const degraded = lag.lagMs > DEGRADED_LAG_MS || (status?.consecutiveFailures ?? 0) > 0;
    return {
      code: 200,
      body: {
        status: degraded ? 'degraded' : 'ready',
        checks: {
          database: 'ok',
          schema: 'ok',
          projector: { role, ...lag, streamFailures: status?.consecutiveFailures ?? 0 },
        },
      },
    };
  } catch (error) {
    return {
      code: 503,
      body: { status: 'unavailable', checks: { database: (error as Error).message, projector: { role } } },
    };
  }
}

/** Starts the probe server; resolves once it listens. */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server: Server = createServer((request, response) => {
    const send = (code: number, body: string, type = 'application/json') => {
      response.writeHead(code, { 'content-type': type });
      response.end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/livez') return send(200, JSON.stringify({ status: 'alive' }));
    // `/health`: what the old deployment's probes call; the same answer as `/readyz`.
    if (path === '/readyz' || path === '/health') {
      readiness(options).then(({ code, body }) => send(code, JSON.stringify(body)));
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        (error: unknown) => send(500, String(error), 'text/plain'),
      );
      return;
    }
    send(404, JSON.stringify({ error: 'NotFound', message: `no route ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  options.logger.info({ port: (server.address() as AddressInfo).port }, 'probe server listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
