import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminContract } from './admin-contract';
import { bootstrapMspVariable } from './authorization';
import { canonicalJson } from './canonical-json';
import { parseEvent } from './events';
import { requestId, systemParams } from './testing/fixtures';
import { createTestIdentities, type TestIdentity } from './testing/identities';
import { MemoryWorld } from './testing/memory-world';

type Identities = Awaited<ReturnType<typeof createTestIdentities>>;

let ids: Identities;
let world: MemoryWorld;
const admin = new AdminContract();

beforeAll(async () => {
  ids = await createTestIdentities();
});
beforeEach(() => {
  world = new MemoryWorld();
});

const bootstrap = (identity: TestIdentity, id: string, paramsJson: string) =>
  world.invoke(identity, (ctx) => admin.BootstrapSystem(ctx, id, paramsJson));

describe('AdminContract.Ping', () => {
  it('answers without state, for anyone', async () => {
    expect(await world.invoke(ids.reader, (ctx) => admin.Ping(ctx))).toBe('{"chaincode":"gxtv3","ok":true}');
    expect(world.state.size).toBe(0);
  });
});

describe('AdminContract.BootstrapSystem', () => {
  it("stores the params and emits one valid SystemBootstrapped, for a super admin of the peer's organization", async () => {
    const id = requestId();
    const params = systemParams();
    const result = await bootstrap(ids.superAdmin, id, JSON.stringify(params));

    expect(world.events).toHaveLength(1);
    const [event] = world.events;
    expect(event!.name).toBe('SystemBootstrapped');
    expect(event!.payload).toBe(result);
    // Deterministic bytes: keys sorted at every depth.
    expect(event!.payload).toBe(canonicalJson(JSON.parse(event!.payload)));
    const parsed = parseEvent(event!.name, Buffer.from(event!.payload));
    expect(parsed).toMatchObject({
      ok: true,
      event: {
        payload: {
          version: 1,
          requestId: id,
          params,
          bootstrappedBy: 'Org1MSP::x509::/CN=gx-super_admin/OU=client::/CN=gx-super_admin/OU=client',
          timestamp: '2026-01-01T00:00:01.123Z',
        },
      },
    });
    expect(JSON.parse(await world.invoke(ids.reader, (ctx) => admin.GetSystemParams(ctx)))).toEqual(params);
    // The bootstrapper's organization is the one configured; no OU fallback unless asked for.
    expect(JSON.parse(world.read('gx/authorization')!)).toEqual({ adminOuFallback: false, organizations: ['Org1MSP'] });
  });

  it('refuses every other role, no role, a foreign super admin and a foreign OU=admin, writing nothing', async () => {
    const refused = [
      ids.admin,
      ids.registrar,
      ids.transfer,
      ids.reader,
      ids.noRole,
      ids.nearMiss,
      ids.ouAdmin,
      ids.foreign.superAdmin,
      ids.foreign.ouAdmin,
    ];
    for (const identity of refused) {
      await expect(bootstrap(identity, requestId(), JSON.stringify(systemParams()))).rejects.toThrow(/^GX_FORBIDDEN: /);
    }
    // A foreign OU=admin stays refused even when the parameters ask for the cryptogen fallback.
    const cryptogen = JSON.stringify(systemParams({ authorization: { adminOuFallback: true } }));
    await expect(bootstrap(ids.foreign.ouAdmin, requestId(), cryptogen)).rejects.toThrow(
      /^GX_FORBIDDEN: AdminContract:BootstrapSystem: organization "Org2MSP" is not configured/,
    );
    expect(world.state.size).toBe(0);
    expect(world.events).toHaveLength(0);
  });

  it("accepts a cryptogen admin (OU=admin, no attributes) of the peer's organization only with the OU fallback", async () => {
    const params = systemParams({ authorization: { adminOuFallback: true, organizations: ['Org3MSP', 'Org1MSP'] } });
    await bootstrap(ids.ouAdmin, requestId(), JSON.stringify(params));
    expect(world.events.map((event) => event.name)).toEqual(['SystemBootstrapped']);
    expect(JSON.parse(world.read('gx/authorization')!)).toEqual({
      adminOuFallback: true,
      organizations: ['Org1MSP', 'Org3MSP'],
    });
  });

  it(`takes the bootstrap organization from ${bootstrapMspVariable} over the peer's, and refuses all without either`, async () => {
    process.env[bootstrapMspVariable] = 'Org2MSP';
    try {
      await expect(bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams()))).rejects.toThrow(
        /^GX_FORBIDDEN: .*organization "Org1MSP" is not configured/,
      );
      await bootstrap(ids.foreign.superAdmin, requestId(), JSON.stringify(systemParams()));
      expect(JSON.parse(world.read('gx/authorization')!).organizations).toEqual(['Org2MSP']);
    } finally {
      delete process.env[bootstrapMspVariable];
    }
    const anchorless = new MemoryWorld('');
    await expect(
      anchorless.invoke(ids.superAdmin, (ctx) =>
        admin.BootstrapSystem(ctx, requestId(), JSON.stringify(systemParams())),
      ),
    ).rejects.toThrow(/^GX_FORBIDDEN: AdminContract:BootstrapSystem: no organization is configured/);
    expect(anchorless.state.size).toBe(0);
  });

  it('bootstraps only once', async () => {
    await bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams()));
    await expect(
      bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams({ tokenSymbol: 'XXX' }))),
    ).rejects.toThrow(/^GX_ALREADY_BOOTSTRAPPED: /);
    expect(JSON.parse(await world.invoke(ids.reader, (ctx) => admin.GetSystemParams(ctx))).tokenSymbol).toBe('GXC');
  });

  it('replays the same request with the first result and no new event; rejects reuse with other params', async () => {
    const id = requestId();
    const paramsJson = JSON.stringify(systemParams());
    const first = await bootstrap(ids.superAdmin, id, paramsJson);
    const replay = await bootstrap(ids.superAdmin, id, paramsJson);
    expect(replay).toBe(first);
    expect(world.events).toHaveLength(1);
    await expect(bootstrap(ids.superAdmin, id, JSON.stringify(systemParams({ decimals: 2 })))).rejects.toThrow(
      /^GX_REQUEST_ID_REUSED: /,
    );
  });

  it('rejects params that are not JSON or break the schema, naming the field', async () => {
    await expect(bootstrap(ids.superAdmin, requestId(), '{not json')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: paramsJson is not JSON/,
    );
    await expect(
      bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams({ genesisTiers: [] }))),
    ).rejects.toThrow(/^GX_INVALID_ARGUMENT: .*genesisTiers/);
    const badFee = systemParams({ transferFee: { basisPoints: 10_001, collector: 'FEES' } });
    await expect(bootstrap(ids.superAdmin, requestId(), JSON.stringify(badFee))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: .*transferFee\.basisPoints/,
    );
    await expect(bootstrap(ids.superAdmin, '', JSON.stringify(systemParams()))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: requestId/,
    );
    expect(world.state.size).toBe(0);
  });
});

describe('AdminContract.GetSystemParams', () => {
  it('is GX_NOT_BOOTSTRAPPED before BootstrapSystem', async () => {
    await expect(world.invoke(ids.reader, (ctx) => admin.GetSystemParams(ctx))).rejects.toThrow(
      /^GX_NOT_BOOTSTRAPPED: /,
    );
  });
});
