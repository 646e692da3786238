/**
 * Issue 12: `gx devnet --chaincode <name>=<module>` serves any fabric-contract-api module (plain JavaScript
 * without decorators here), several at once in their own namespaces, on a channel and MSP of the user's
 * choosing; the dispatcher's routing and hooks behave as on a peer. Also: the default chaincode (compiled
 * TypeScript gxtv3 with decorator metadata) is served without the option.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChaincodeEvent, EndorseError, type Network } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliDevnet,
  connectTestGateway,
  KV_CHAINCODE,
  startCliDevnet,
  startTestDevnet,
  type TestGateway,
} from '../../test/support/devnet.js';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe.skipIf(externalLedger)(
  `gx devnet --chaincode, as a network configured like fabric-samples (mychannel, Org1MSP) ${DEVNET_SUITE}`,
  () => {
    let dataDir: string;
    let devnet: CliDevnet;
    let client: TestGateway;
    let network: Network;

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'gx-devnet-hosting-'));
      devnet = await startCliDevnet(dataDir, [
        '--port',
        '0',
        '--no-tls',
        '--channel',
        'mychannel',
        '--msp-id',
        'Org1MSP',
        '--chaincode',
        `basic=${KV_CHAINCODE}`,
        '--chaincode',
        `other=${path.relative(process.cwd(), KV_CHAINCODE)}`,
        '--admin-port',
        '0',
      ]);
      client = connectTestGateway(devnet.connection);
      network = client.gateway.getNetwork('mychannel');
    });

    afterAll(async () => {
      client?.close();
      await devnet?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('prints its endpoint and writes the connection settings for the chosen channel and MSP', () => {
      expect(devnet.output()).toContain(
        `devnet listening on ${devnet.connection.peerEndpoint} (channel mychannel, MSP Org1MSP, TLS off)`,
      );
      expect(devnet.connection).toMatchObject({ channel: 'mychannel', mspId: 'Org1MSP' });
      expect(devnet.connection.tlsCaPem).toBeUndefined();
    });

    it('serves each chaincode under its name, with its own namespace of world state', async () => {
      const basic = network.getContract('basic');
      const other = network.getContract('other');
      expect(text(await basic.submitTransaction('put', 'shared-key', 'in-basic'))).toBe('in-basic');
      await other.submitTransaction('put', 'shared-key', 'in-other');
      expect(text(await basic.evaluateTransaction('get', 'shared-key'))).toBe('in-basic');
      expect(text(await other.evaluateTransaction('get', 'shared-key'))).toBe('in-other');
      const who = JSON.parse(text(await basic.evaluateTransaction('whoAmI')));
      expect(who).toEqual({ mspId: 'Org1MSP', role: 'registrar' });
    });

    it('routes Contract:function and the default contract, and runs the before/after/unknown hooks', async () => {
      const basic = network.getContract('basic');
      expect(text(await basic.evaluateTransaction('hooks:echo', 'x'))).toBe('echo:x');
      const refused = (await basic
        .submitTransaction('hooks:echo', 'forbidden')
        .catch((e: unknown) => e)) as EndorseError;
      expect(refused).toBeInstanceOf(EndorseError);
      expect(refused.details[0]?.message).toBe('chaincode response 500, beforeTransaction refused hooks:echo');
      const unknown = (await basic.submitTransaction('hooks:nothing').catch((e: unknown) => e)) as EndorseError;
      expect(unknown.details[0]?.message).toBe('chaincode response 500, hooks has no function hooks:nothing');

      // afterTransaction's setEvent is the transaction's last: it is the one event delivered.
      const events = await network.getChaincodeEvents('basic', { startBlock: 0n });
      const status = await (
        await (await basic.newProposal('hooks:echo', { arguments: ['y'] }).endorse()).submit()
      ).getStatus();
      let found: ChaincodeEvent | undefined;
      for await (const event of events) {
        if (event.transactionId === status.transactionId) {
          found = event;
          break;
        }
      }
      events.close();
      expect(found?.eventName).toBe('After');
      expect(text(found?.payload ?? new Uint8Array())).toBe('echo:y');
    });

    it('serves an HTTP admin interface: status, metrics and faults', async () => {
      const admin = /admin interface: (http:\/\/\S+)/.exec(devnet.output())?.[1];
      expect(admin).toBeDefined();
      const status = (await (await fetch(`${admin}/status`)).json()) as { endpoint: string; height: string };
      expect(status.endpoint).toBe(devnet.connection.peerEndpoint);
      expect(Number(status.height)).toBeGreaterThan(1);
      expect(await (await fetch(`${admin}/metrics`)).text()).toMatch(/^gx_devnet_blocks_total \d+/m);

      expect((await fetch(`${admin}/faults/fail-endorsements?count=1`, { method: 'POST' })).status).toBe(200);
      const failed = (await network
        .getContract('basic')
        .evaluateTransaction('whoAmI')
        .catch((e: unknown) => e)) as {
        code: number;
      };
      expect(failed.code).toBe(14);
      expect(text(await network.getContract('basic').evaluateTransaction('get', 'shared-key'))).toBe('in-basic');
      expect((await fetch(`${admin}/faults/fail-endorsements?count=many`, { method: 'POST' })).status).toBe(400);
      expect((await fetch(`${admin}/nothing`)).status).toBe(404);
    });

    it('refuses a channel it does not serve, as a Fabric 2.5 peer does on evaluate', async () => {
      const wrong = client.gateway.getNetwork('gxchannel').getContract('basic');
      const error = (await wrong.evaluateTransaction('get', 'x').catch((e: unknown) => e)) as {
        code: number;
        message: string;
      };
      expect(error.code).toBe(14);
      expect(error.message).toContain('failed to get config for channel [gxchannel]');
    });
  },
);

describe.skipIf(externalLedger)(`an ES-module chaincode ${DEVNET_SUITE}`, () => {
  it('is loaded through import() and served', async () => {
    const devnet = await startTestDevnet({
      tls: false,
      chaincodes: [{ name: 'greeter', module: path.resolve(KV_CHAINCODE, '../esm-chaincode') }],
    });
    const client = connectTestGateway(devnet.connection);
    try {
      const greeter = client.gateway.getNetwork('gxchannel').getContract('greeter');
      expect(text(await greeter.evaluateTransaction('greet', 'devnet'))).toBe('hello devnet');
    } finally {
      client.close();
      await devnet.stop();
    }
  });
});

describe.skipIf(externalLedger)(`the default chaincode ${DEVNET_SUITE}`, () => {
  let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
  let client: TestGateway;

  beforeAll(async () => {
    devnet = await startTestDevnet();
    client = connectTestGateway(devnet.connection);
  });
  afterAll(async () => {
    client?.close();
    await devnet?.stop();
  });

  it('is gxtv3 from @gx/chaincode, TypeScript whose decorator metadata types the transactions', async () => {
    expect(devnet.env().GX_FABRIC_CHAINCODE).toBe('gxtv3');
    const gxtv3 = client.gateway.getNetwork('gxchannel').getContract('gxtv3');
    const metadata = JSON.parse(text(await gxtv3.evaluateTransaction('org.hyperledger.fabric:GetMetadata')));
    const contracts = Object.keys(metadata.contracts).filter((name) => name !== 'org.hyperledger.fabric');
    expect(contracts.length).toBeGreaterThan(0);
    const transactions = contracts.flatMap((name) => metadata.contracts[name].transactions);
    // @Transaction/@Param metadata: submit/evaluate tags and typed parameters, not the introspected arg0…
    expect(transactions.some((t: { tag?: string[] }) => t.tag?.includes('submitTx'))).toBe(true);
  });
});
