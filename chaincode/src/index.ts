/**
 * gxtv3: the GX Protocol chaincode. `contracts` is the fabric-contract-api entry a peer (as CCaaS) or devnet
 * serves; the rest is shared with the backend: event schemas, error codes, the Fabric user id rules, the
 * system parameters (pools, treasuries, slots) and the fee schedule (`quoteFee`).
 *
 * Importing this module has no side effects (no server starts, no state is touched).
 *
 * Results: state-changing functions return the canonical JSON of the event they emit (also on an idempotent
 * replay); queries return canonical JSON objects in the shapes of `queryResultSchemas` (query-results.ts).
 */
import type { Contract } from 'fabric-contract-api';
import { AdminContract } from './admin-contract';
import { IdentityContract } from './identity-contract';
import { OrganizationContract } from './organization-contract';
import { TokenomicsContract } from './tokenomics-contract';

export * from './arguments';
export {
  type AuthorizationPolicy,
  adminOrganizationalUnit,
  bootstrapMspVariable,
  functionRoles,
  type Role,
  roleAttribute,
  roles,
  type StateChangingFunction,
} from './authorization';
export * from './canonical-json';
export * from './errors';
export * from './events';
export * from './fabric-user-id';
export * from './fee-schedule';
export * from './organizations';
export * from './profile-digest';
export * from './query-results';
export * from './system-params';
export * from './trust';
export { AdminContract, IdentityContract, OrganizationContract, TokenomicsContract };

/**
 * The contracts this chaincode serves; the first (AdminContract) is the default for un-prefixed function
 * names. fabric-shim's `ChaincodeFromContract` appends its system contract to the array it is given, so
 * hosts should pass a copy (`[...contracts]`).
 */
export const contracts: Array<new () => Contract> = [
  AdminContract,
  IdentityContract,
  TokenomicsContract,
  OrganizationContract,
];
