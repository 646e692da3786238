/** gxtv3 chaincode entry: the contracts a Fabric peer (or devnet) serves. Filled by the chaincode work. */
export const contracts: Array<new () => object> = [];
