import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectTestGateway, KV_CHAINCODE, startTestDevnet, type TestGateway } from '../../test/support/devnet.js';

let devnet: Awaited<ReturnType<typeof startTestDevnet>>;
let client: TestGateway;
beforeAll(async () => {
  devnet = await startTestDevnet({ chaincodes: [{ name: 'kv', module: KV_CHAINCODE }] });
  client = connectTestGateway(devnet.connection);
});
afterAll(async () => {
  client?.close();
  await devnet?.stop();
});

it('smoke', async () => {
  const contract = client.gateway.getNetwork('gxchannel').getContract('kv');
  const result = await contract.submitTransaction('put', 'a', '1');
  expect(Buffer.from(result).toString()).toBe('1');
  expect(Buffer.from(await contract.evaluateTransaction('get', 'a')).toString()).toBe('1');
});
