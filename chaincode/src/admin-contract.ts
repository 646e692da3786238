import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { type AuthorizationPolicy, bootstrapOrganization } from './authorization';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import { runIdempotent } from './idempotent-request';
import { parseJson } from './json-argument';
import { requireSystemParams } from './lookups';
import {
  type AdminRole,
  adminRoles,
  type CountryRecord,
  feeBandsSchema,
  feeParameterNames,
  type LedgerParams,
  poolIds,
  poolNames,
  type SystemParams,
  sharePpb,
  slotsOf,
  systemParamsSchema,
  type TransferScope,
  type TransferType,
  treasuryIdOf,
} from './system-params';
import { type AdminRecord, keys, type PauseRecord, readRecord, type WalletRecord, writeRecord } from './world-state';

/** System set-up and health: bootstrapping the parameters once, reading them, and a stateless ping. */
@Info({ title: 'AdminContract', description: 'GX system bootstrap, parameters and health' })
export class AdminContract extends Contract {
  constructor() {
    super('AdminContract');
  }

  /**
   * Stores the system parameters (version 2: supply and pool caps, genesis phases and ages, fee schedule,
   * authorization), the authorization policy, and one key per country with its treasury, created LOCKED. Once only, by a `gx.role=super_admin` identity of the bootstrap organization (the endorsing peer's,
   * or `CHAINCODE_BOOTSTRAP_MSP_ID`); an attribute-less `OU=admin` certificate of that organization only when
   * the parameters turn the cryptogen OU fallback on. Returns (and emits as SystemBootstrapped v2)
   * `{version, requestId, params (without countries), countries (with slots), pools, bootstrappedBy, timestamp}`.
   */
  @Transaction()
  @Returns('string')
  async BootstrapSystem(ctx: Context, requestId: string, paramsJson: string): Promise<string> {
    const anchor = bootstrapOrganization(ctx);
    const policy: AuthorizationPolicy | undefined =
      anchor === undefined ? undefined : { organizations: [anchor], adminOuFallback: requestsOuFallback(paramsJson) };
    return runIdempotent(ctx, {
      fn: 'AdminContract:BootstrapSystem',
      policy,
      requestId,
      args: [paramsJson],
      event: 'SystemBootstrapped',
      apply: async (timestamp) => {
        const { countries, ...params } = parseParams(paramsJson);
        if ((await readRecord<LedgerParams>(ctx, keys.systemParams)) !== undefined) {
          throw gxError('GX_ALREADY_BOOTSTRAPPED', 'the system has already been bootstrapped');
        }
        const mspId = ctx.clientIdentity.getMSPID();
        await writeRecord(ctx, keys.systemParams, params);
        await writeRecord(ctx, keys.authorization, {
          organizations: [...new Set([mspId, ...(params.authorization?.organizations ?? [])])],
          adminOuFallback: params.authorization?.adminOuFallback ?? false,
        } satisfies AuthorizationPolicy);
        const table = [];
        for (const country of countries) {
          const record: CountryRecord = {
            code: country.code,
            sharePpb: sharePpb(country.populationShare),
            treasuryId: treasuryIdOf(country.code),
            treasuryStatus: 'LOCKED',
          };
          // One key per country (and its treasury's wallet): a registration touches only its own country.
          await writeRecord(ctx, keys.country(country.code), record);
          await writeRecord(ctx, keys.wallet(record.treasuryId), {
            account: record.treasuryId,
            balance: '0',
          } satisfies WalletRecord);
          table.push({
            code: record.code,
            sharePpb: record.sharePpb,
            treasuryId: record.treasuryId,
            slots: params.genesis.phases.map((phase) => slotsOf(phase.limit, record.sharePpb)),
          });
        }
        return {
          version: 2,
          requestId,
          params,
          countries: table,
          pools: poolNames.map((pool) => ({ pool, id: poolIds[pool], cap: params.pools[pool] })),
          bootstrappedBy: `${mspId}::${ctx.clientIdentity.getID()}`,
          timestamp,
        };
      },
    });
  }

  /** Stops every value movement (GX_SYSTEM_PAUSED) until ResumeSystem; reads go on. Emits SystemPauseChanged. */
  @Transaction()
  @Returns('string')
  async PauseSystem(ctx: Context, requestId: string, reason: string): Promise<string> {
    return setPaused(ctx, 'AdminContract:PauseSystem', requestId, reason, true);
  }

  /** Lets value move again. Emits SystemPauseChanged. */
  @Transaction()
  @Returns('string')
  async ResumeSystem(ctx: Context, requestId: string, reason: string): Promise<string> {
    return setPaused(ctx, 'AdminContract:ResumeSystem', requestId, reason, false);
  }

  /**
   * Records an admin or super admin, by profile digest, in the on-chain registry. Nobody appoints themselves
   * (GX_FORBIDDEN); an appointed digest cannot be appointed again (GX_ALREADY_EXISTS). Emits AdminAppointed.
   */
  @Transaction()
  @Returns('string')
  async AppointAdmin(
    ctx: Context,
    requestId: string,
    appointeeDigest: string,
    role: string,
    appointedByDigest: string,
  ): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'AdminContract:AppointAdmin',
      requestId,
      args: [appointeeDigest, role, appointedByDigest],
      event: 'AdminAppointed',
      apply: async (timestamp) => {
        requireDigest('appointeeDigest', appointeeDigest);
        requireDigest('appointedByDigest', appointedByDigest);
        if (!adminRoles.includes(role as AdminRole)) {
          throw gxError('GX_INVALID_ARGUMENT', `role must be one of ${adminRoles.join(', ')}, got "${role}"`);
        }
        if (appointeeDigest === appointedByDigest) {
          throw gxError('GX_FORBIDDEN', 'appointedByDigest: nobody appoints themselves');
        }
        await requireSystemParams(ctx);
        const existing = await readRecord<AdminRecord>(ctx, keys.admin(appointeeDigest));
        if (existing !== undefined) {
          throw gxError('GX_ALREADY_EXISTS', `appointeeDigest: already appointed as ${existing.role}`);
        }
        await writeRecord(ctx, keys.admin(appointeeDigest), {
          role: role as AdminRole,
          appointedBy: appointedByDigest,
          since: timestamp,
        } satisfies AdminRecord);
        return {
          version: 1,
          requestId,
          digest: appointeeDigest,
          role: role as AdminRole,
          by: appointedByDigest,
          timestamp,
        };
      },
    });
  }

  /** Removes an appointment; GX_NOT_FOUND when the digest holds none. Emits AdminRevoked with the role it had. */
  @Transaction()
  @Returns('string')
  async RevokeAdmin(ctx: Context, requestId: string, adminDigest: string, revokedByDigest: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'AdminContract:RevokeAdmin',
      requestId,
      args: [adminDigest, revokedByDigest],
      event: 'AdminRevoked',
      apply: async (timestamp) => {
        requireDigest('adminDigest', adminDigest);
        requireDigest('revokedByDigest', revokedByDigest);
        const existing = await readRecord<AdminRecord>(ctx, keys.admin(adminDigest));
        if (existing === undefined) throw gxError('GX_NOT_FOUND', 'adminDigest: no such appointment');
        await ctx.stub.deleteState(keys.admin(adminDigest));
        return { version: 1, requestId, digest: adminDigest, role: existing.role, by: revokedByDigest, timestamp };
      },
    });
  }

  /**
   * Changes one governable parameter within its bounds. For now the fee cells: `fees.<TYPE>.<SCOPE>` with
   * its band array as `valueJson` (bps 0–1,000, ascending from "0"). Emits ParameterChanged.
   */
  @Transaction()
  @Returns('string')
  async SetParameter(ctx: Context, requestId: string, name: string, valueJson: string): Promise<string> {
    return runIdempotent(ctx, {
      fn: 'AdminContract:SetParameter',
      requestId,
      args: [name, valueJson],
      event: 'ParameterChanged',
      apply: async (timestamp) => {
        if (!(feeParameterNames as readonly string[]).includes(name)) {
          throw gxError('GX_INVALID_ARGUMENT', `name must be one of ${feeParameterNames.join(', ')}, got "${name}"`);
        }
        const bands = parseJson('valueJson', valueJson, feeBandsSchema);
        const params = await requireSystemParams(ctx);
        const [, type, scope] = name.split('.') as ['fees', TransferType, TransferScope];
        const previous = params.fees[type][scope];
        await writeRecord(ctx, keys.systemParams, {
          ...params,
          fees: { ...params.fees, [type]: { ...params.fees[type], [scope]: bands } },
        } satisfies LedgerParams);
        return { version: 1, requestId, name, previousValue: previous, newValue: bands, timestamp };
      },
    });
  }

  /** `{paused, reason, since}`: whether value may move (since: the last pause or resume, null if none). */
  @Transaction(false)
  @Returns('string')
  async GetSystemStatus(ctx: Context): Promise<string> {
    const pause = await readRecord<PauseRecord>(ctx, keys.paused);
    return canonicalJson(pause ?? { paused: false, reason: '', since: null });
  }

  /** The system parameters as JSON; GX_NOT_BOOTSTRAPPED before BootstrapSystem. */
  @Transaction(false)
  @Returns('string')
  async GetSystemParams(ctx: Context): Promise<string> {
    return canonicalJson(await requireSystemParams(ctx));
  }

  /** Health check that touches no state: `{"chaincode":"gxtv3","ok":true}`. */
  @Transaction(false)
  @Returns('string')
  async Ping(_ctx: Context): Promise<string> {
    return canonicalJson({ ok: true, chaincode: 'gxtv3' });
  }
}

/**
 * Whether the parameters ask for the cryptogen OU fallback, read leniently: the bootstrap itself is then open
 * to the bootstrap organization's OU=admin certificates. Malformed parameters count as no, and are rejected
 * with their own error once the caller is authorized.
 */
function requestsOuFallback(paramsJson: string): boolean {
  try {
    const json = JSON.parse(paramsJson) as { authorization?: { adminOuFallback?: unknown } } | null;
    return json?.authorization?.adminOuFallback === true;
  } catch {
    return false;
  }
}

function parseParams(paramsJson: string): SystemParams {
  return parseJson('paramsJson', paramsJson, systemParamsSchema);
}

const maxPauseReasonLength = 500;

function requireDigest(field: string, digest: string): void {
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) {
    throw gxError('GX_INVALID_ARGUMENT', `${field} must be a profile digest (64 lower-case hex digits)`);
  }
}

async function setPaused(
  ctx: Context,
  fn: 'AdminContract:PauseSystem' | 'AdminContract:ResumeSystem',
  requestId: string,
  reason: string,
  paused: boolean,
): Promise<string> {
  return runIdempotent(ctx, {
    fn,
    requestId,
    args: [reason],
    event: 'SystemPauseChanged',
    apply: async (timestamp) => {
      if (typeof reason !== 'string' || reason.length === 0 || reason.length > maxPauseReasonLength) {
        throw gxError('GX_INVALID_ARGUMENT', `reason must be 1-${maxPauseReasonLength} characters`);
      }
      await requireSystemParams(ctx);
      await writeRecord(ctx, keys.paused, { paused, reason, since: timestamp } satisfies PauseRecord);
      return { version: 1, requestId, paused, reason, timestamp };
    },
  });
}
