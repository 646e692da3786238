/**
 * The worker roles' operational endpoints on GX_METRICS_PORT (the API serves the same paths on its own
 * port): `/livez` (the process runs), `/readyz` and `/health` (the role's {@link Readiness}, 503 only when unavailable)
 * and `/metrics` (Prometheus text from the shared registry).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from './metrics.js';
import { type Readiness, readinessCode } from './readiness.js';

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

export interface ProbeServerOptions {
  /** Default 0.0.0.0. */
  host?: string | undefined;
  /** 0 picks a free port. */
  port: number;
  readiness(): Promise<Readiness>;
}

/** Serves the probes; resolves once the server listens. */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    if (request.method !== 'GET') return reply(405, JSON.stringify({ error: 'MethodNotAllowed' }));
    if (path === '/livez') return reply(200, JSON.stringify({ status: 'alive' }));
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        (error: Error) => reply(500, error.message, 'text/plain'),
      );
      return;
    }
    // `/health`: what the old deployment's probes and runbooks call; the same answer as `/readyz`.
    if (path === '/readyz' || path === '/health') {
      options.readiness().then(
        (result) => reply(readinessCode(result), JSON.stringify(result)),
        (error: Error) => reply(503, JSON.stringify({ status: 'unavailable', error: error.message })),
      );
      return;
    }
    reply(404, JSON.stringify({ error: 'NotFound', message: `no route ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
