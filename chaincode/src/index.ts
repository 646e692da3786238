/**
 * gxtv3: the GX Protocol chaincode. `contracts` is the fabric-contract-api entry a peer (as CCaaS) or devnet
 * serves; the rest is shared with the backend: event schemas, error codes, the Fabric user id rules.
 *
 * Importing this module has no side effects (no server starts, no state is touched).
 */
export * from './canonical-json';
export * from './errors';
export * from './events';
export * from './fabric-user-id';

/** The contracts this chaincode serves. Filled by the chaincode work (issue: gxtv3 chaincode). */
export const contracts: Array<new () => object> = [];
