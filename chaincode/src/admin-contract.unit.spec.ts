import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminContract } from './admin-contract';
import { canonicalJson } from './canonical-json';
import { parseEvent } from './events';
import { requestId, systemParams } from './testing/fixtures';
import { createTestIdentities } from './testing/identities';
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

const bootstrap = (identity: Identities[keyof Identities], id: string, paramsJson: string) =>
  world.invoke(identity, (ctx) => admin.BootstrapSystem(ctx, id, paramsJson));

describe('AdminContract.Ping', () => {
  it('answers without state, for anyone', async () => {
    expect(await world.invoke(ids.client, (ctx) => admin.Ping(ctx))).toBe('{"chaincode":"gxtv3","ok":true}');
    expect(world.state.size).toBe(0);
  });
});

describe('AdminContract.BootstrapSystem', () => {
  it('stores the params and emits one valid SystemBootstrapped, for an admin by Fabric CA attribute', async () => {
    const id = requestId();
    const params = systemParams();
    const result = await bootstrap(ids.attributeAdmin, id, JSON.stringify(params));

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
          bootstrappedBy: 'Org1MSP::x509::/CN=gx-admin/OU=client::/CN=gx-admin/OU=client',
          timestamp: '2026-01-01T00:00:01.123Z',
        },
      },
    });
    expect(JSON.parse(await world.invoke(ids.client, (ctx) => admin.GetSystemParams(ctx)))).toEqual(params);
  });

  it('accepts a cryptogen/NodeOUs admin (OU=admin, no attributes)', async () => {
    await bootstrap(ids.ouAdmin, requestId(), JSON.stringify(systemParams()));
    expect(world.events.map((event) => event.name)).toEqual(['SystemBootstrapped']);
  });

  it('refuses a non-admin, including a gx.role other than admin and an OU that only contains "admin"', async () => {
    for (const identity of [ids.client, ids.nearMiss]) {
      await expect(bootstrap(identity, requestId(), JSON.stringify(systemParams()))).rejects.toThrow(/^GX_FORBIDDEN: /);
    }
    expect(world.state.size).toBe(0);
    expect(world.events).toHaveLength(0);
  });

  it('bootstraps only once', async () => {
    await bootstrap(ids.attributeAdmin, requestId(), JSON.stringify(systemParams()));
    await expect(
      bootstrap(ids.attributeAdmin, requestId(), JSON.stringify(systemParams({ tokenSymbol: 'XXX' }))),
    ).rejects.toThrow(/^GX_ALREADY_BOOTSTRAPPED: /);
    expect(JSON.parse(await world.invoke(ids.client, (ctx) => admin.GetSystemParams(ctx))).tokenSymbol).toBe('GXC');
  });

  it('replays the same request with the first result and no new event; rejects reuse with other params', async () => {
    const id = requestId();
    const paramsJson = JSON.stringify(systemParams());
    const first = await bootstrap(ids.attributeAdmin, id, paramsJson);
    const replay = await bootstrap(ids.attributeAdmin, id, paramsJson);
    expect(replay).toBe(first);
    expect(world.events).toHaveLength(1);
    await expect(bootstrap(ids.attributeAdmin, id, JSON.stringify(systemParams({ decimals: 2 })))).rejects.toThrow(
      /^GX_REQUEST_ID_REUSED: /,
    );
  });

  it('rejects params that are not JSON or break the schema, naming the field', async () => {
    await expect(bootstrap(ids.attributeAdmin, requestId(), '{not json')).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: paramsJson is not JSON/,
    );
    await expect(
      bootstrap(ids.attributeAdmin, requestId(), JSON.stringify(systemParams({ genesisTiers: [] }))),
    ).rejects.toThrow(/^GX_INVALID_ARGUMENT: .*genesisTiers/);
    const badFee = systemParams({ transferFee: { basisPoints: 10_001, collector: 'FEES' } });
    await expect(bootstrap(ids.attributeAdmin, requestId(), JSON.stringify(badFee))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: .*transferFee\.basisPoints/,
    );
    await expect(bootstrap(ids.attributeAdmin, '', JSON.stringify(systemParams()))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: requestId/,
    );
    expect(world.state.size).toBe(0);
  });
});

describe('AdminContract.GetSystemParams', () => {
  it('is GX_NOT_BOOTSTRAPPED before BootstrapSystem', async () => {
    await expect(world.invoke(ids.client, (ctx) => admin.GetSystemParams(ctx))).rejects.toThrow(
      /^GX_NOT_BOOTSTRAPPED: /,
    );
  });
});
