/**
 * gxtv3: the GX Protocol chaincode. `contracts` is the fabric-contract-api entry a peer (as CCaaS) or devnet
 * serves; the rest is shared with the backend (event schemas).
 */
export * from './events';

/** The contracts this chaincode serves. Filled by the chaincode work (issue: gxtv3 chaincode). */
export const contracts: Array<new () => object> = [];
