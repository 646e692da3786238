import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminContract } from './admin-contract';
import { bootstrapMspVariable } from './authorization';
import { canonicalJson } from './canonical-json';
import { parseEvent } from './events';
import { profileDigest } from './profile-digest';
import { poolIds, poolNames, treasuryIdOf } from './system-params';
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
  it('stores the params, one key per country with a LOCKED treasury, and emits SystemBootstrapped v2', async () => {
    const id = requestId();
    const { countries, ...params } = systemParams();
    const result = await bootstrap(ids.superAdmin, id, JSON.stringify({ ...params, countries }));

    expect(world.events).toHaveLength(1);
    const [event] = world.events;
    expect(event!.name).toBe('SystemBootstrapped');
    expect(event!.payload).toBe(result);
    // Deterministic bytes: keys sorted at every depth.
    expect(event!.payload).toBe(canonicalJson(JSON.parse(event!.payload)));
    const parsed = parseEvent(event!.name, Buffer.from(event!.payload));
    expect(parsed).toEqual({
      ok: true,
      event: {
        name: 'SystemBootstrapped',
        payload: {
          version: 2,
          requestId: id,
          params,
          countries: [
            { code: 'MY', sharePpb: 500_000_000, treasuryId: treasuryIdOf('MY'), slots: [2, 4] },
            { code: 'SG', sharePpb: 250_000_000, treasuryId: treasuryIdOf('SG'), slots: [1, 2] },
            { code: 'ID', sharePpb: 250_000_000, treasuryId: treasuryIdOf('ID'), slots: [1, 2] },
          ],
          pools: poolNames.map((pool) => ({ pool, id: poolIds[pool], cap: params.pools[pool] })),
          bootstrappedBy: 'Org1MSP::x509::/CN=gx-super_admin/OU=client::/CN=gx-super_admin/OU=client',
          timestamp: '2026-01-01T00:00:01.123Z',
        },
      },
    });
    // gx/params keeps everything but the country table, which is one key per country.
    expect(JSON.parse(await world.invoke(ids.reader, (ctx) => admin.GetSystemParams(ctx)))).toEqual(params);
    expect(JSON.parse(world.read('gx/country/MY')!)).toEqual({
      code: 'MY',
      sharePpb: 500_000_000,
      treasuryId: treasuryIdOf('MY'),
      treasuryStatus: 'LOCKED',
    });
    expect(JSON.parse(world.read(`gx/wallet/${treasuryIdOf('ID')}`)!)).toEqual({
      account: treasuryIdOf('ID'),
      balance: '0',
    });
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
    expect(JSON.parse(await world.invoke(ids.reader, (ctx) => admin.GetSystemParams(ctx))).tokenSymbol).toBe('GX');
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
    const params = systemParams();
    const refusals: Array<[unknown, string]> = [
      [{ ...params, genesis: { ...params.genesis, phases: [] } }, 'paramsJson.genesis.phases: Too small'],
      [
        { ...params, fees: { ...params.fees, B2B: { ...params.fees.B2B, LOCAL: [{ minAmount: '0', bps: 1001 }] } } },
        'paramsJson.fees.B2B.LOCAL.0.bps: Too big: expected number to be <=1000',
      ],
      [
        { ...params, countries: [{ code: 'MY', populationShare: 0.5 }] },
        'paramsJson.countries: population shares sum to 0.5, not 1',
      ],
      [{ ...params, countries: [{ code: 'XX', populationShare: 1 }] }, 'paramsJson.countries.0.code: XX is reserved'],
      [{ ...params, maxSupply: '-1' }, 'paramsJson.maxSupply: must be a non-negative integer string'],
      [{ ...params, version: 1 }, 'paramsJson.version: '],
    ];
    for (const [bad, message] of refusals) {
      await expect(bootstrap(ids.superAdmin, requestId(), JSON.stringify(bad))).rejects.toThrow(
        `GX_INVALID_ARGUMENT: invalid paramsJson: ${message}`,
      );
    }
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

describe('AdminContract.PauseSystem / ResumeSystem / GetSystemStatus', () => {
  it('records the pause with its reason and time, and the resume', async () => {
    await bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams()));
    const status = async () => JSON.parse(await world.invoke(ids.reader, (ctx) => admin.GetSystemStatus(ctx)));
    expect(await status()).toEqual({ paused: false, reason: '', since: null });
    const id = requestId();
    const paused = await world.invoke(ids.superAdmin, (ctx) => admin.PauseSystem(ctx, id, 'incident 12'));
    expect(parseEvent('SystemPauseChanged', Buffer.from(paused))).toEqual({
      ok: true,
      event: {
        name: 'SystemPauseChanged',
        payload: {
          version: 1,
          requestId: id,
          paused: true,
          reason: 'incident 12',
          timestamp: '2026-01-01T00:00:03.123Z',
        },
      },
    });
    expect(await status()).toEqual({ paused: true, reason: 'incident 12', since: '2026-01-01T00:00:03.123Z' });
    await world.invoke(ids.superAdmin, (ctx) => admin.ResumeSystem(ctx, requestId(), 'resolved'));
    expect(await status()).toMatchObject({ paused: false, reason: 'resolved' });
    await expect(world.invoke(ids.superAdmin, (ctx) => admin.PauseSystem(ctx, requestId(), ''))).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: reason must be 1-500 characters/,
    );
  });
});

describe('AdminContract.AppointAdmin / RevokeAdmin', () => {
  const alice = profileDigest('alice');
  const bob = profileDigest('bob');
  const appoint = (appointee: string, role: string, by: string, id = requestId()) =>
    world.invoke(ids.superAdmin, (ctx) => admin.AppointAdmin(ctx, id, appointee, role, by));
  const revoke = (digest: string, by: string) =>
    world.invoke(ids.superAdmin, (ctx) => admin.RevokeAdmin(ctx, requestId(), digest, by));

  beforeEach(async () => {
    await bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams()));
  });

  it('appoints and revokes by profile digest, emitting AdminAppointed and AdminRevoked', async () => {
    const appointed = JSON.parse(await appoint(bob, 'admin', alice));
    expect(appointed).toMatchObject({ version: 1, digest: bob, role: 'admin', by: alice });
    expect(JSON.parse(world.read(`gx/admin/${bob}`)!)).toEqual({
      role: 'admin',
      appointedBy: alice,
      since: '2026-01-01T00:00:02.123Z',
    });
    await expect(appoint(bob, 'super_admin', alice)).rejects.toThrow(/^GX_ALREADY_EXISTS: appointeeDigest: already/);
    expect(JSON.parse(await revoke(bob, alice))).toMatchObject({ digest: bob, role: 'admin', by: alice });
    expect(world.read(`gx/admin/${bob}`)).toBeUndefined();
    await expect(revoke(bob, alice)).rejects.toThrow(/^GX_NOT_FOUND: adminDigest: no such appointment/);
    expect(world.events.map((event) => event.name)).toEqual(['SystemBootstrapped', 'AdminAppointed', 'AdminRevoked']);
  });

  it('refuses self-appointment (GX_FORBIDDEN), unknown roles and malformed digests, writing nothing', async () => {
    const before = new Map(world.state);
    await expect(appoint(alice, 'super_admin', alice)).rejects.toThrow(
      /^GX_FORBIDDEN: appointedByDigest: nobody appoints themselves/,
    );
    await expect(appoint(bob, 'registrar', alice)).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: role must be one of admin, super_admin/,
    );
    await expect(appoint('bob', 'admin', alice)).rejects.toThrow(/^GX_INVALID_ARGUMENT: appointeeDigest must be/);
    await expect(appoint(bob, 'admin', alice.toUpperCase())).rejects.toThrow(
      /^GX_INVALID_ARGUMENT: appointedByDigest must be/,
    );
    expect(world.state).toEqual(before);
  });
});

describe('AdminContract.SetParameter', () => {
  const setParameter = (name: string, valueJson: string, id = requestId()) =>
    world.invoke(ids.superAdmin, (ctx) => admin.SetParameter(ctx, id, name, valueJson));
  const params = async () => JSON.parse(await world.invoke(ids.reader, (ctx) => admin.GetSystemParams(ctx)));

  beforeEach(async () => {
    await bootstrap(ids.superAdmin, requestId(), JSON.stringify(systemParams()));
  });

  it('replaces one fee cell and emits ParameterChanged with the previous and the new bands', async () => {
    const bands = [
      { minAmount: '0', bps: 12 },
      { minAmount: '5000000', bps: 1000 },
    ];
    const id = requestId();
    const event = JSON.parse(await setParameter('fees.MERCHANT.CROSS_BORDER', JSON.stringify(bands), id));
    expect(event).toEqual({
      version: 1,
      requestId: id,
      name: 'fees.MERCHANT.CROSS_BORDER',
      previousValue: [{ minAmount: '0', bps: 30 }],
      newValue: bands,
      timestamp: '2026-01-01T00:00:02.123Z',
    });
    const { fees } = await params();
    expect(fees.MERCHANT.CROSS_BORDER).toEqual(bands);
    expect(fees.MERCHANT.LOCAL).toEqual(systemParams().fees.MERCHANT.LOCAL);
  });

  it('refuses rates above 1,000 bps, bad bands and unknown names, naming the field, writing nothing', async () => {
    const before = new Map(world.state);
    await expect(setParameter('fees.P2P.LOCAL', JSON.stringify([{ minAmount: '0', bps: 1001 }]))).rejects.toThrow(
      'GX_INVALID_ARGUMENT: invalid valueJson: valueJson.0.bps: Too big: expected number to be <=1000',
    );
    await expect(setParameter('fees.P2P.LOCAL', JSON.stringify([{ minAmount: '1', bps: 1 }]))).rejects.toThrow(
      'GX_INVALID_ARGUMENT: invalid valueJson: valueJson.0.minAmount: the first band must start at "0"',
    );
    await expect(setParameter('fees.P2P.LOCAL', '[')).rejects.toThrow('GX_INVALID_ARGUMENT: valueJson is not JSON');
    await expect(setParameter('fees.P2P.GLOBAL', '[]')).rejects.toThrow(/^GX_INVALID_ARGUMENT: name must be one of /);
    await expect(setParameter('maxSupply', '"1"')).rejects.toThrow(/^GX_INVALID_ARGUMENT: name must be one of /);
    expect(world.state).toEqual(before);
  });
});
