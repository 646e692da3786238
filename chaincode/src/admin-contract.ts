import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { type AuthorizationPolicy, bootstrapOrganization } from './authorization';
import { canonicalJson } from './canonical-json';
import { gxError } from './errors';
import { type SystemParams, systemParamsSchema } from './events';
import { runIdempotent } from './idempotent-request';
import { requireSystemParams } from './lookups';
import { keys, readRecord, writeRecord } from './world-state';

/** System set-up and health: bootstrapping the parameters once, reading them, and a stateless ping. */
@Info({ title: 'AdminContract', description: 'GX system bootstrap, parameters and health' })
export class AdminContract extends Contract {
  constructor() {
    super('AdminContract');
  }

  /**
   * Stores the system parameters (token, genesis tiers, transfer fee, authorization) and the authorization
   * policy. Once only, by a `gx.role=super_admin` identity of the bootstrap organization (the endorsing peer's,
   * or `CHAINCODE_BOOTSTRAP_MSP_ID`); an attribute-less `OU=admin` certificate of that organization only when
   * the parameters turn the cryptogen OU fallback on. Returns (and emits as SystemBootstrapped)
   * `{version, requestId, params, bootstrappedBy, timestamp}`.
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
        const params = parseParams(paramsJson);
        if ((await readRecord<SystemParams>(ctx, keys.systemParams)) !== undefined) {
          throw gxError('GX_ALREADY_BOOTSTRAPPED', 'the system has already been bootstrapped');
        }
        const mspId = ctx.clientIdentity.getMSPID();
        await writeRecord(ctx, keys.systemParams, params);
        await writeRecord(ctx, keys.authorization, {
          organizations: [...new Set([mspId, ...(params.authorization?.organizations ?? [])])],
          adminOuFallback: params.authorization?.adminOuFallback ?? false,
        } satisfies AuthorizationPolicy);
        return {
          version: 1,
          requestId,
          params,
          bootstrappedBy: `${mspId}::${ctx.clientIdentity.getID()}`,
          timestamp,
        };
      },
    });
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
  let json: unknown;
  try {
    json = JSON.parse(paramsJson);
  } catch {
    throw gxError('GX_INVALID_ARGUMENT', 'paramsJson is not JSON');
  }
  const result = systemParamsSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`);
    throw gxError('GX_INVALID_ARGUMENT', `invalid system params: ${issues.join('; ')}`);
  }
  return result.data;
}
