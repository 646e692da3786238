/**
 * The start-up check every ledger-facing role makes: does the peer know the configured channel and chaincode,
 * and accept this identity on it? A real Fabric peer answers a wrong channel with UNAVAILABLE or
 * FAILED_PRECONDITION, codes that otherwise mean a passing fault, so without this check a typo in
 * GX_FABRIC_CHANNEL or GX_FABRIC_CHAINCODE made every command retry until dead-lettered and the projector
 * reconnect forever. A peer that does not answer at all does not stop the role: it may come up later, and
 * `/readyz` reports it meanwhile.
 */
import { ConfigError, type ConfigIssue, type FabricSettings } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { chaincodeMessage, classifyError, GatewayError, misconfigurationReason } from './errors.js';
import type { LedgerClient } from './types.js';

/** What the role reports for each refusal: the setting at fault and what the peer said. */
function issuesFor(error: GatewayError, settings: FabricSettings): ConfigIssue[] | undefined {
  const peer = settings.peerEndpoint ?? 'the peer';
  const answer = error.details.length > 0 ? `${error.message} (${error.details[0]?.message})` : error.message;
  switch (misconfigurationReason(error)) {
    case 'UNKNOWN_CHANNEL':
      return [
        {
          variable: 'GX_FABRIC_CHANNEL',
          message: `${peer} has not joined channel "${settings.channel}" (it answered: ${answer})`,
        },
      ];
    case 'UNKNOWN_CHAINCODE':
      return [
        {
          variable: 'GX_FABRIC_CHAINCODE',
          message: `no chaincode "${settings.chaincode}" is committed on channel "${settings.channel}" at ${peer} (it answered: ${answer})`,
        },
      ];
    case 'ACCESS_DENIED':
      return [
        {
          variable: 'GX_FABRIC_CLIENT_CERT',
          message: `${peer} refuses this identity on channel "${settings.channel}": the certificate must be issued by a CA of the MSP named in GX_FABRIC_MSP_ID ("${settings.mspId}"), a member of the channel (it answered: ${answer})`,
        },
      ];
    default:
      break;
  }
  // A chaincode that exists but is not gxtv3 (e.g. another application's name) has no AdminContract.
  const fromChaincode = chaincodeMessage(error);
  if (fromChaincode !== undefined && /function that does not exist|Contract name is not known/.test(fromChaincode)) {
    return [
      {
        variable: 'GX_FABRIC_CHAINCODE',
        message: `chaincode "${settings.chaincode}" on channel "${settings.channel}" is not gxtv3: it has no AdminContract:Ping (it answered: ${fromChaincode})`,
      },
    ];
  }
  return undefined;
}

/**
 * Evaluates `AdminContract:Ping` once. Throws a {@link ConfigError} naming the setting when the peer answers
 * that the channel, the chaincode or the identity is wrong; logs and returns when the peer cannot be reached
 * (the role starts and reports the ledger unreachable).
 */
export async function checkLedgerTarget(ledger: LedgerClient, settings: FabricSettings, logger: Logger): Promise<void> {
  try {
    await ledger.evaluate('AdminContract', 'Ping', []);
    logger.info({ channel: settings.channel, chaincode: settings.chaincode }, 'ledger channel and chaincode answer');
  } catch (error) {
    const issues = error instanceof GatewayError ? issuesFor(error, settings) : undefined;
    if (issues) throw new ConfigError(issues);
    logger.warn(
      { err: error, reason: classifyError(error).reason },
      'ledger not reachable at start-up; starting anyway (channel and chaincode unchecked, /readyz reports the ledger)',
    );
  }
}
