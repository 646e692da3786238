/** Reads that reject with a GX_ code when what the caller names is missing or malformed. */
import type { Context } from 'fabric-contract-api';
import { gxError } from './errors';
import { fabricUserIdPattern } from './fabric-user-id';
import type { LedgerParams } from './system-params';
import { keys, readRecord, type UserRecord } from './world-state';

/** The system parameters; GX_NOT_BOOTSTRAPPED before BootstrapSystem. */
export async function requireSystemParams(ctx: Context): Promise<LedgerParams> {
  const params = await readRecord<LedgerParams>(ctx, keys.systemParams);
  if (params === undefined) throw gxError('GX_NOT_BOOTSTRAPPED', 'the system has not been bootstrapped');
  return params;
}

/** Rejects anything that is not a canonical Fabric user id (GX_INVALID_ARGUMENT). */
export function requireUserIdFormat(field: string, value: string): void {
  if (typeof value !== 'string' || !fabricUserIdPattern.test(value)) {
    throw gxError(
      'GX_INVALID_ARGUMENT',
      `${field} "${String(value)}" is not a Fabric user id (CC CCC AAANNN TCCCC NNNN)`,
    );
  }
}

/** The user with this id; GX_INVALID_ARGUMENT for a malformed id, GX_NOT_FOUND for an unknown one. */
export async function requireUser(ctx: Context, field: string, fabricUserId: string): Promise<UserRecord> {
  requireUserIdFormat(field, fabricUserId);
  const user = await readRecord<UserRecord>(ctx, keys.user(fabricUserId));
  if (user === undefined) throw gxError('GX_NOT_FOUND', `user "${fabricUserId}" does not exist`);
  return user;
}
