import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { isAdminIdentity } from './admin-identity';
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
   * Stores the system parameters (token, genesis tiers, transfer fee). Admin only, once only.
   * Returns (and emits as SystemBootstrapped) `{version, requestId, params, bootstrappedBy, timestamp}`.
   */
  @Transaction()
  @Returns('string')
  async BootstrapSystem(ctx: Context, requestId: string, paramsJson: string): Promise<string> {
    if (!isAdminIdentity(ctx.clientIdentity)) {
      throw gxError('GX_FORBIDDEN', 'BootstrapSystem needs an admin identity (gx.role=admin or OU=admin)');
    }
    return runIdempotent(ctx, {
      fn: 'AdminContract:BootstrapSystem',
      requestId,
      args: [paramsJson],
      event: 'SystemBootstrapped',
      apply: async (timestamp) => {
        const params = parseParams(paramsJson);
        if ((await readRecord<SystemParams>(ctx, keys.systemParams)) !== undefined) {
          throw gxError('GX_ALREADY_BOOTSTRAPPED', 'the system has already been bootstrapped');
        }
        await writeRecord(ctx, keys.systemParams, params);
        return {
          version: 1,
          requestId,
          params,
          bootstrappedBy: `${ctx.clientIdentity.getMSPID()}::${ctx.clientIdentity.getID()}`,
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
