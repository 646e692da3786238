/**
 * One trace per command: a transfer through real HTTP, real PostgreSQL, the ledger (devnet by default), the
 * outbox submitter and the projector, all in this process with tracing on. The in-memory exporter is where
 * the spans are observed; everything they describe is real.
 */
import { roomyGenesis, systemParams, zeroFees } from '@gx/chaincode/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Session, TestApi } from '../../test/support/api-server.js';
import { externalLedger } from '../../test/support/ledger.js';
import { startTestSystem, type TestSystem } from '../../test/support/system.js';
import { startTracing, stopTracing } from './tracing.js';

const exporter = new InMemorySpanExporter();
let system: TestSystem;
let api: TestApi;
let admin: Session;

beforeAll(async () => {
  await startTracing({ serviceName: 'gx-tracing-e2e', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  system = await startTestSystem('tracing-e2e');
  ({ api } = system);
  admin = await api.admin();
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await stopTracing();
});

/** Waits until the command is projected (its status stream's last event). */
async function projected(commandId: string, token: string): Promise<void> {
  const response = await fetch(`${api.url}/api/v1/commands/${commandId}/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  expect(text).toContain('event: projected');
}

async function accepted(response: { status: number; body: { commandId: string }; text: string }): Promise<string> {
  expect(response.status, response.text).toBe(202);
  return response.body.commandId;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing a command', () => {
  it('one transfer is one trace: HTTP request → submitter (endorse, submit, commit wait) → projector', async () => {
    if (!externalLedger) {
      await projected(
        await accepted(
          await api.request('POST', '/api/v1/bootstrap', {
            token: admin.accessToken,
            // Registration pays each individual 1,000 Qirat of genesis; no fees.
            body: { params: systemParams({ genesis: roomyGenesis('1000'), fees: zeroFees() }) },
          }),
        ),
        admin.accessToken,
      );
    }
    const alice = await api.registerUser({ nationalityCountryCode: 'MY', gender: 'female' });
    const bob = await api.registerUser({ nationalityCountryCode: 'SG', gender: 'male' });
    const fabricIds: string[] = [];
    for (const user of [alice, bob]) {
      await api.passKyc(user);
      const approval = await api.request('POST', `/api/v1/admin/users/${user.profileId}/approve`, {
        token: admin.accessToken,
      });
      await projected(await accepted(approval), admin.accessToken);
      fabricIds.push(approval.body.fabricUserId);
    }
    exporter.reset();

    // The caller's trace: the API joins it (W3C traceparent), so the whole command is in the caller's trace.
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const commandId = await accepted(
      await api.request('POST', '/api/v1/transfers', {
        token: alice.accessToken,
        body: { toFabricUserId: fabricIds[1], amount: '250', memo: 'traced' },
        headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` },
      }),
    );
    await projected(commandId, alice.accessToken);
    // The projector ends its span once its transaction has committed, just after the status event is sent.
    const spans = await vi.waitFor(
      () => {
        const finished = exporter.getFinishedSpans();
        expect(finished.some((span) => span.name.startsWith('project '))).toBe(true);
        return finished;
      },
      { timeout: 10_000, interval: 50 },
    );

    const http = spans.find((span) => span.name === 'POST /api/v1/transfers');
    expect(http, spans.map((span) => span.name).join(', ')).toBeDefined();
    if (!http) return;
    expect(http.kind).toBe(SpanKind.SERVER);
    expect(http.attributes['http.response.status_code']).toBe(202);
    expect(http.spanContext().traceId).toBe(callerTraceId);
    expect(parentOf(http)).toBe(callerSpanId);

    const trace = spans.filter((span) => span.spanContext().traceId === callerTraceId);
    const named = (name: string) => trace.filter((span) => span.name === name);
    const [submit] = named('submit TRANSFER_TOKENS');
    expect(submit, trace.map((span) => span.name).join(', ')).toBeDefined();
    if (!submit) return;
    expect(parentOf(submit)).toBe(http.spanContext().spanId);
    expect(submit.attributes).toMatchObject({ 'gx.command.id': commandId, 'gx.command.outcome': 'COMMITTED' });
    for (const call of ['fabric endorse', 'fabric submit', 'fabric commit wait']) {
      expect(named(call).map(parentOf), call).toEqual([submit.spanContext().spanId]);
    }
    const projection = named('project TransferCompleted');
    expect(projection.map(parentOf)).toEqual([http.spanContext().spanId]);
    expect(projection[0]?.kind).toBe(SpanKind.CONSUMER);

    // Nothing of this command went to another trace.
    const elsewhere = spans.filter(
      (span) =>
        span.spanContext().traceId !== callerTraceId &&
        (span.attributes['gx.command.id'] === commandId || span.name === 'project TransferCompleted'),
    );
    expect(elsewhere).toEqual([]);
  });

  it('stores the trace context on the outbox row of a traced request', async () => {
    const rows = await api.db.pool.query<{ trace_context: { traceparent?: string } | null }>(
      `SELECT trace_context FROM outbox_command WHERE command_type = 'TRANSFER_TOKENS'`,
    );
    expect(rows.rows.map((row) => row.trace_context?.traceparent?.split('-')[1])).toEqual([
      '4bf92f3577b34da6a3ce929d0e0e4736',
    ]);
  });
});
