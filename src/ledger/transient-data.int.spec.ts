/**
 * CreateUser's private facts (profile id, date of birth, gender, identity digest) travel as Fabric transient
 * data: they reach the endorser, which checks them against the id and the age rule, and no block keeps them.
 * Driven as the submitter drives it (the command catalogue's CREATE_USER call) through the real
 * @hyperledger/fabric-gateway client over gRPC, so what is checked are the bytes a peer and an orderer get.
 */
import { individual, requestId } from '@gx/chaincode/testing';
import type { Network } from '@hyperledger/fabric-gateway';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestGateway, type TestGateway } from '../../test/support/devnet.js';
import { bootstrapTestLedger, startTestLedger, type TestLedger } from '../../test/support/ledger.js';
import { scenarioParams } from '../../test/support/ledger-scenario.js';
import { toLedgerCall } from '../commands/catalogue.js';
import { type FabricSettings, loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { createLedgerClient } from './client.js';
import { classifyError } from './errors.js';
import type { LedgerClient } from './types.js';

let devnet: TestLedger;
let ledger: LedgerClient;
let gateway: TestGateway;
let fabric: FabricSettings;
let network: Network;

beforeAll(async () => {
  devnet = await startTestLedger();
  fabric = loadConfig(devnet.env()).fabric;
  ledger = await createLedgerClient(fabric, { logger: createLogger({ level: 'silent', role: 'test' }), name: 'tx' });
  await bootstrapTestLedger(ledger, scenarioParams());
  gateway = connectTestGateway(devnet.connection, { as: 'registrar' });
  network = gateway.gateway.getNetwork(fabric.channel);
});

afterAll(async () => {
  gateway?.close();
  await ledger?.close();
  await devnet?.stop();
});

/** Whether `text` occurs in `bytes` (UTF-8, as protobuf stores strings). */
const contains = (bytes: Uint8Array, text: string): boolean => Buffer.from(bytes).includes(Buffer.from(text, 'utf8'));

describe('CreateUser with transient data', () => {
  it('gives the endorser the private facts and keeps them out of the transaction, its block and its event', async () => {
    const user = individual({ dateOfBirth: '1991-07-19', gender: 'other' });
    const id = requestId();
    const call = toLedgerCall('CREATE_USER', id, {
      fabricUserId: user.fabricUserId,
      countryCode: 'MY',
      ...user.user,
    });
    expect(call.args).toEqual([id, user.fabricUserId]);
    const secrets = [user.user.dateOfBirth, user.profileId, user.user.identityDigest, '"gender"', '"other"'];

    const proposal = network
      .getContract(fabric.chaincode, call.contract)
      .newProposal(call.fn, { arguments: call.args, transientData: call.transient ?? {} });
    // The control: the proposal the endorser receives does carry every fact (so the searches below can hit).
    for (const secret of secrets) expect(contains(proposal.getBytes(), secret), secret).toBe(true);

    const transaction = await proposal.endorse();
    // The envelope the orderer puts into the block (and the submitter stores in the outbox).
    const envelope = transaction.getBytes();
    expect(contains(envelope, user.fabricUserId)).toBe(true);
    for (const secret of secrets) expect(contains(envelope, secret), secret).toBe(false);

    const commit = await transaction.submit();
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);

    // The committed block as the deliver service streams it: the transaction, valid.
    const blocks = await network.getFilteredBlockEvents({ startBlock: status.blockNumber });
    try {
      for await (const block of blocks) {
        const committed = block.getFilteredTransactionsList().find((tx) => tx.getTxid() === status.transactionId);
        expect(committed?.getTxValidationCode()).toBe(StatusCode.VALID);
        break;
      }
    } finally {
      blocks.close();
    }
    // Its event: the user and its genesis, none of the facts.
    const abort = new AbortController();
    for await (const event of ledger.chaincodeEvents({ startBlock: status.blockNumber, signal: abort.signal })) {
      if (event.transactionId !== status.transactionId) continue;
      abort.abort();
      expect(event.eventName).toBe('UserCreated');
      expect(JSON.parse(Buffer.from(event.payload).toString('utf8'))).toMatchObject({
        version: 3,
        fabricUserId: user.fabricUserId,
        genesis: { outcome: 'ALLOCATED' },
      });
      for (const secret of secrets) expect(contains(event.payload, secret), secret).toBe(false);
    }
    expect(abort.signal.aborted).toBe(true);

    const stored = JSON.parse(
      Buffer.from(await ledger.evaluate('IdentityContract', 'GetUser', [user.fabricUserId])).toString('utf8'),
    );
    expect(stored).toMatchObject({ fabricUserId: user.fabricUserId, status: 'ACTIVE', accountType: 0 });
  });

  it('is refused by the endorser without the transient facts (they are not optional)', async () => {
    const user = individual();
    const error = await ledger
      .submit({
        contract: 'IdentityContract',
        fn: 'CreateUser',
        args: [requestId(), user.fabricUserId],
        signer: 'registrar',
      })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'GX_INVALID_ARGUMENT' });
    expect(classifyError(error).message).toMatch(/transient "user": missing/);
  });
});
