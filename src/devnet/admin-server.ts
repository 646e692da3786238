/**
 * `gx devnet --admin-port`: a small HTTP interface to a devnet running in its own process, for demos and
 * process-level tests: its status, its Prometheus metrics, and the faults of {@link DevnetFaults}.
 *
 * | request | effect |
 * |---|---|
 * | `GET /status` | `{ endpoint, channel, mspId, height, organizations: [{ mspId, endpoint, up }] }` |
 * | `GET /metrics` | the process's Prometheus metrics (devnet's `gx_devnet_*` among them) |
 * | `POST /faults/drop-streams` | {@link DevnetFaults.dropStreams} |
 * | `POST /faults/refuse-connections?ms=N` | {@link DevnetFaults.refuseConnections} (answers at once) |
 * | `POST /faults/delay-endorsement?ms=N` | {@link DevnetFaults.delayEndorsement} |
 * | `POST /faults/fail-endorsements?count=N` | {@link DevnetFaults.failEndorsements} |
 * | `POST /faults/force-mvcc-conflicts?count=N` | {@link DevnetFaults.forceMvccConflicts} |
 * | `POST /faults/stop-peer?msp=ID` | {@link DevnetFaults.stopPeer} (answers once the port is closed) |
 * | `POST /faults/start-peer?msp=ID` | {@link DevnetFaults.startPeer} (answers once it listens again) |
 * | `POST /faults/clear` | {@link DevnetFaults.clear} |
 * | `POST /commit-latency?ms=N` | {@link Devnet.setCommitLatency} |
 *
 * It listens on loopback unless told otherwise: it has no authentication, as befits a development tool.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { registry } from '../observability/metrics.js';
import type { Devnet } from './index.js';

/** A running admin interface. */
export interface DevnetAdminServer {
  port: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type });
  response.end(type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body));
}

/** Serves the admin interface of `devnet` on `host:port` (0: any free port). */
export async function startDevnetAdminServer(devnet: Devnet, host: string, port: number): Promise<DevnetAdminServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://devnet');
    const number = (name: string): number | undefined => {
      const value = Number(url.searchParams.get(name));
      return Number.isInteger(value) && value >= 0 ? value : undefined;
    };
    const needs = (name: string, apply: (value: number) => void) => {
      const value = number(name);
      if (value === undefined) return send(response, 400, { error: `${name} must be a non-negative integer` });
      apply(value);
      send(response, 200, { ok: true });
    };
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /status':
        return send(response, 200, {
          endpoint: devnet.connection.peerEndpoint,
          channel: devnet.connection.channel,
          mspId: devnet.connection.mspId,
          height: devnet.height().toString(),
          organizations: devnet.organizations.map((org) => ({
            mspId: org.mspId,
            endpoint: org.connection.peerEndpoint,
            up: org.isUp(),
          })),
        });
      case 'GET /metrics':
        registry.metrics().then(
          (text) => send(response, 200, text, registry.contentType),
          (error: unknown) => send(response, 500, { error: String(error) }),
        );
        return;
      case 'POST /faults/drop-streams':
        devnet.faults.dropStreams();
        return send(response, 200, { ok: true });
      case 'POST /faults/refuse-connections':
        return needs('ms', (ms) => void devnet.faults.refuseConnections(ms));
      case 'POST /faults/delay-endorsement':
        return needs('ms', (ms) => devnet.faults.delayEndorsement(ms));
      case 'POST /faults/fail-endorsements':
        return needs('count', (count) => devnet.faults.failEndorsements(count));
      case 'POST /faults/force-mvcc-conflicts':
        return needs('count', (count) => devnet.faults.forceMvccConflicts(count));
      case 'POST /faults/stop-peer':
      case 'POST /faults/start-peer': {
        const msp = url.searchParams.get('msp') ?? '';
        if (!devnet.organizations.some((org) => org.mspId === msp)) {
          const known = devnet.organizations.map((org) => org.mspId).join(', ');
          return send(response, 400, { error: `msp must name a peer organization (${known})` });
        }
        const change = route === 'POST /faults/stop-peer' ? devnet.faults.stopPeer(msp) : devnet.faults.startPeer(msp);
        change.then(
          () => send(response, 200, { ok: true }),
          (error: unknown) => send(response, 500, { error: String(error) }),
        );
        return;
      }
      case 'POST /faults/clear':
        devnet.faults.clear();
        return send(response, 200, { ok: true });
      case 'POST /commit-latency':
        return needs('ms', (ms) => devnet.setCommitLatency(ms));
      default:
        return send(response, 404, { error: `no route ${route}` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
