/**
 * Who may change the ledger: every state-changing function names the backend role it needs, and the caller
 * must hold that role (Fabric CA attribute `gx.role`) in an organization the ledger was configured with.
 *
 * Why both checks: the peer has authenticated the caller as a member of *some* organization of the channel,
 * and any organization's CA can issue any attribute, so an attribute alone proves nothing about who issued
 * it. The MSP id, on the other hand, is vouched for by the channel's MSP (the certificate chains to that
 * organization's CA). So the MSP id says *whose* identity it is, and the attribute says *which* of that
 * organization's identities it is.
 *
 * The configured organizations are written at bootstrap (see {@link bootstrapOrganization}); chaincode/README.md
 * explains the choice.
 */
import { X509Certificate } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import type { ClientIdentity } from 'fabric-shim-api';
import { gxError } from './errors';
import { keys, readRecord } from './world-state';

/** Fabric CA attribute naming the backend role of an identity (`--id.attrs 'gx.role=registrar:ecert'`). */
export const roleAttribute = 'gx.role';

/**
 * The backend's roles. `reader` is the identity of the processes that only read (API health check, projector's
 * event stream): no function accepts it, so a stolen reader key cannot change anything.
 */
export const roles = ['super_admin', 'admin', 'registrar', 'transfer', 'reader'] as const;
export type Role = (typeof roles)[number];

/** Organizational unit that NodeOUs (cryptogen, or a CA with NodeOUs enabled) give admin certificates. */
export const adminOrganizationalUnit = 'admin';

/**
 * The role each state-changing function needs, one role per function (least privilege: the key that creates
 * users cannot move tokens, the key that moves tokens cannot mint). {@link runIdempotent} looks the function up
 * here before anything else, so a new state-changing function cannot be added without naming its role.
 */
export const functionRoles = {
  'AdminContract:BootstrapSystem': 'super_admin',
  'AdminContract:PauseSystem': 'super_admin',
  'AdminContract:ResumeSystem': 'super_admin',
  'AdminContract:AppointAdmin': 'super_admin',
  'AdminContract:RevokeAdmin': 'super_admin',
  'AdminContract:SetParameter': 'super_admin',
  'IdentityContract:CreateUser': 'registrar',
  'IdentityContract:UpdateUserStatus': 'registrar',
  // Relationships are identity data, requested and answered on a user's behalf (docs/trust.md).
  'IdentityContract:RequestRelationship': 'registrar',
  'IdentityContract:ConfirmRelationship': 'registrar',
  'IdentityContract:RejectRelationship': 'registrar',
  'IdentityContract:EndRelationship': 'registrar',
  'TokenomicsContract:DistributeGenesis': 'admin',
  'TokenomicsContract:ActivateTreasury': 'admin',
  'TokenomicsContract:FreezeWallet': 'admin',
  'TokenomicsContract:UnfreezeWallet': 'admin',
  'TokenomicsContract:TransferTokens': 'transfer',
  // Organization data is identity data (docs/organizations.md); GOVERNMENT ones only through the admin key.
  'OrganizationContract:ProposeOrganization': 'registrar',
  'OrganizationContract:ProposeGovernmentOrganization': 'admin',
  'OrganizationContract:EndorseOrganization': 'registrar',
  'OrganizationContract:SetApprovalRules': 'registrar',
  // Payment requests move an organization's value.
  'OrganizationContract:InitiatePayment': 'transfer',
  'OrganizationContract:ApprovePayment': 'transfer',
  'OrganizationContract:RejectPayment': 'transfer',
  // The scheduler's expiry of a request: it moves nothing, but it ends a payment, so the payments key signs it.
  'OrganizationContract:ExpirePaymentRequest': 'transfer',
} as const satisfies Record<string, Exclude<Role, 'reader'>>;

export type StateChangingFunction = keyof typeof functionRoles;

/** Who may act, as stored at bootstrap under `gx/authorization`. */
export interface AuthorizationPolicy {
  /** MSP ids whose identities may act (each still needs the function's role). The bootstrapper's comes first. */
  organizations: string[];
  /**
   * Accept an attribute-less certificate with subject `OU=admin` of a configured organization as every role.
   * For cryptogen networks only, whose certificates carry no attributes; chosen at bootstrap.
   */
  adminOuFallback: boolean;
}

/**
 * The environment variable of the chaincode server that names the organization allowed to bootstrap. Unset,
 * it is the endorsing peer's own organization (`CORE_PEER_LOCALMSPID`, which fabric-shim's `getMspID()` reads).
 */
export const bootstrapMspVariable = 'CHAINCODE_BOOTSTRAP_MSP_ID';

/**
 * The organization whose super admin may bootstrap: {@link bootstrapMspVariable} if set, else the endorsing
 * peer's MSP. `undefined` when neither is known (a CCaaS server started without either variable), and then
 * nobody may bootstrap.
 */
export function bootstrapOrganization(ctx: Context): string | undefined {
  const configured = process.env[bootstrapMspVariable]?.trim();
  if (configured) return configured;
  try {
    const peerMsp = ctx.stub.getMspID();
    return peerMsp === '' ? undefined : peerMsp;
  } catch {
    return undefined;
  }
}

/**
 * The policy in force: the one written at bootstrap. A ledger bootstrapped before policies existed, or not
 * bootstrapped yet, gets the bootstrap organization alone, without the OU fallback.
 */
export async function currentPolicy(ctx: Context): Promise<AuthorizationPolicy | undefined> {
  const stored = await readRecord<AuthorizationPolicy>(ctx, keys.authorization);
  if (stored !== undefined) return stored;
  const anchor = bootstrapOrganization(ctx);
  return anchor === undefined ? undefined : { organizations: [anchor], adminOuFallback: false };
}

/**
 * Throws GX_FORBIDDEN unless the caller may run `fn` under `policy`. Reads nothing and writes nothing: call it
 * before any other work of the transaction.
 */
export function authorize(ctx: Context, fn: StateChangingFunction, policy: AuthorizationPolicy | undefined): void {
  const needed = functionRoles[fn];
  if (policy === undefined) {
    throw gxError(
      'GX_FORBIDDEN',
      `${fn}: no organization is configured (set ${bootstrapMspVariable} or CORE_PEER_LOCALMSPID on the chaincode server)`,
    );
  }
  const identity = ctx.clientIdentity;
  const mspId = identity.getMSPID();
  if (!policy.organizations.includes(mspId)) {
    throw gxError(
      'GX_FORBIDDEN',
      `${fn}: organization "${mspId}" is not configured on this ledger (${policy.organizations.join(', ')})`,
    );
  }
  const role = roleOf(identity);
  if (role !== undefined) {
    // An attribute decides on its own, also where the OU fallback is on: an OU=admin certificate that says
    // gx.role=reader is a reader.
    if (role === needed) return;
    throw gxError('GX_FORBIDDEN', `${fn} needs gx.role=${needed}; the caller has gx.role=${role}`);
  }
  if (policy.adminOuFallback && subjectOrganizationalUnits(identity.getIDBytes()).includes(adminOrganizationalUnit)) {
    return;
  }
  throw gxError('GX_FORBIDDEN', `${fn} needs gx.role=${needed}; the caller has no gx.role attribute`);
}

/** The caller's `gx.role` attribute, or `undefined` when it has none. */
export function roleOf(identity: ClientIdentity): string | undefined {
  const value = identity.getAttributeValue(roleAttribute);
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** The OU values of a PEM (or DER) certificate's subject; none if it does not parse. */
export function subjectOrganizationalUnits(certificate: Uint8Array): string[] {
  let subject: string;
  try {
    subject = new X509Certificate(Buffer.from(certificate)).subject;
  } catch {
    return [];
  }
  // Node prints one attribute per line and escapes control characters inside values, so a value cannot
  // smuggle in a line of its own.
  return subject
    .split('\n')
    .filter((line) => line.startsWith('OU='))
    .map((line) => line.slice(3));
}
