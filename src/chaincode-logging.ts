/**
 * fabric-contract-api logs every decorator at `info` when the chaincode module is first imported, which
 * buries the backend's own output. Imported first by the CLI, so it takes effect before that import;
 * an explicit CORE_CHAINCODE_LOGGING_LEVEL still wins.
 */
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'WARNING';
