/**
 * The submitter's operational endpoints on GX_METRICS_PORT: `/metrics` (Prometheus text from the shared
 * registry), `/livez` (the process runs) and `/readyz` (it can do its job: database reachable, submitter
 * claiming; the ledger's reachability is reported but, as everywhere, does not fail readiness by itself).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import type { LedgerClient } from '../ledger/index.js';
import { registry } from '../observability/metrics.js';
import type { Submitter } from './submitter.js';

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  checks: Record<string, { ok: boolean; [detail: string]: unknown }>;
}

async function readiness(pool: pg.Pool, submitter: Submitter, ledger: LedgerClient): Promise<Readiness> {
  const [database, ledgerHealth] = await Promise.all([
    pool.query('SELECT 1').then(
      () => ({ ok: true }),
      (error: Error) => ({ ok: false, error: error.message }),
    ),
    ledger.health(),
  ]);
  const checks = {
    database,
    submitter: { ok: submitter.isRunning(), inFlight: submitter.inFlight() },
    ledger: { ok: ledgerHealth.reachable, latencyMs: ledgerHealth.latencyMs, error: ledgerHealth.error },
  };
  const status = !database.ok || !checks.submitter.ok ? 'unavailable' : ledgerHealth.reachable ? 'ready' : 'degraded';
  return { status, checks };
}

/** Serves the probes on `host:port` (port 0 picks a free one). */
export async function startProbeServer(options: {
  host?: string;
  port: number;
  pool: pg.Pool;
  submitter: Submitter;
  ledger: LedgerClient;
}): Promise<ProbeServer> {
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
    // `/health`: what the old deployment's probes call; the same answer as `/readyz`.
    if (path === '/readyz' || path === '/health') {
      readiness(options.pool, options.submitter, options.ledger).then(
        (result) => reply(result.status === 'unavailable' ? 503 : 200, JSON.stringify(result)),
        (error: Error) => reply(503, JSON.stringify({ status: 'unavailable', error: error.message })),
      );
      return;
    }
    reply(404, JSON.stringify({ error: 'NotFound' }));
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
