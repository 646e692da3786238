/**
 * The contracts through fabric-contract-api's own dispatcher (what a peer's CCaaS server and devnet run):
 * `Contract:Function` routing, argument conversion from decorator metadata, GetMetadata, and errors as the
 * shim reports them.
 */
import { JSONSerializer } from 'fabric-contract-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { contracts, queryResultSchemas } from './index';
import { newUser, requestId, systemParams } from './testing/fixtures';
import { createTestIdentities, type TestIdentity } from './testing/identities';
import { MemoryWorld } from './testing/memory-world';

interface ShimResponse {
  status: number;
  message?: string;
  payload?: Uint8Array;
}
interface Dispatcher {
  Invoke(stub: unknown): Promise<ShimResponse>;
}
type DispatcherClass = new (contracts: unknown[], serializers: unknown) => Dispatcher;

// Internal to fabric-shim (no typings): the class its CCaaS server wraps around a contract module.
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as DispatcherClass;

let ids: Awaited<ReturnType<typeof createTestIdentities>>;
let dispatcher: Dispatcher;
const world = new MemoryWorld();

beforeAll(async () => {
  ids = await createTestIdentities();
  dispatcher = new ChaincodeFromContract([...contracts], {
    transaction: 'jsonSerializer',
    serializers: { jsonSerializer: JSONSerializer },
  });
});

/** Invokes `fn` with string args as the peer would; commits the world on success. */
async function call(identity: TestIdentity, ...args: string[]): Promise<ShimResponse & { text: string }> {
  const stub = world.newStub(identity, args);
  const response = await dispatcher.Invoke(stub);
  if (response.status === 200) world.commit(stub);
  return { ...response, text: response.payload ? Buffer.from(response.payload).toString('utf8') : '' };
}

describe('gxtv3 through the fabric-contract-api dispatcher', () => {
  it('serves Contract:Function names, with AdminContract as the default contract', async () => {
    expect(await call(ids.reader, 'AdminContract:Ping')).toMatchObject({
      status: 200,
      text: '{"chaincode":"gxtv3","ok":true}',
    });
    expect(await call(ids.reader, 'Ping')).toMatchObject({ status: 200, text: '{"chaincode":"gxtv3","ok":true}' });
  });

  it('describes every contract and transaction in GetMetadata, with parameter names from the code', async () => {
    const response = await call(ids.reader, 'org.hyperledger.fabric:GetMetadata');
    expect(response.status).toBe(200);
    const metadata = JSON.parse(response.text) as {
      contracts: Record<
        string,
        { transactions: Array<{ name: string; tag?: string[]; parameters?: Array<{ name: string }> }> }
      >;
    };
    expect(Object.keys(metadata.contracts).sort()).toEqual([
      'AdminContract',
      'IdentityContract',
      'TokenomicsContract',
      'org.hyperledger.fabric',
    ]);
    const describe = (contract: string) =>
      Object.fromEntries(
        metadata.contracts[contract]!.transactions.map((tx) => [
          tx.name,
          { submit: tx.tag?.includes('SUBMIT') ?? false, params: (tx.parameters ?? []).map((p) => p.name) },
        ]),
      );
    expect(describe('AdminContract')).toEqual({
      BootstrapSystem: { submit: true, params: ['requestId', 'paramsJson'] },
      GetSystemParams: { submit: false, params: [] },
      Ping: { submit: false, params: [] },
    });
    expect(describe('IdentityContract')).toEqual({
      CreateUser: { submit: true, params: ['requestId', 'fabricUserId', 'userJson'] },
      GetUser: { submit: false, params: ['fabricUserId'] },
      UpdateUserStatus: { submit: true, params: ['requestId', 'fabricUserId', 'status', 'reason'] },
    });
    expect(describe('TokenomicsContract')).toEqual({
      DistributeGenesis: { submit: true, params: ['requestId', 'fabricUserId'] },
      TransferTokens: { submit: true, params: ['requestId', 'from', 'to', 'amount', 'memo'] },
      GetBalance: { submit: false, params: ['fabricUserId'] },
      GetTotalSupply: { submit: false, params: [] },
    });
  });

  it('runs a whole flow from string arguments: bootstrap, users, genesis, transfer', async () => {
    expect(
      await call(ids.superAdmin, 'AdminContract:BootstrapSystem', requestId(), JSON.stringify(systemParams())),
    ).toMatchObject({ status: 200 });
    const [alice, bob] = [newUser(), newUser()];
    for (const user of [alice, bob]) {
      const created = await call(
        ids.registrar,
        'IdentityContract:CreateUser',
        requestId(),
        user.fabricUserId,
        user.userJson,
      );
      expect(created.status).toBe(200);
      expect(JSON.parse(created.text)).toMatchObject({ fabricUserId: user.fabricUserId, wallet: { balance: '0' } });
    }
    expect(
      await call(ids.admin, 'TokenomicsContract:DistributeGenesis', requestId(), alice.fabricUserId),
    ).toMatchObject({
      status: 200,
    });
    const transfer = await call(
      ids.transfer,
      'TokenomicsContract:TransferTokens',
      requestId(),
      alice.fabricUserId,
      bob.fabricUserId,
      '400',
      'hello',
    );
    expect(JSON.parse(transfer.text)).toMatchObject({ fromBalance: '600', toBalance: '396', fee: '4' });
    expect(world.events.map((event) => event.name)).toEqual([
      'SystemBootstrapped',
      'UserCreated',
      'UserCreated',
      'GenesisDistributed',
      'TransferCompleted',
    ]);
    expect((await call(ids.reader, 'TokenomicsContract:GetBalance', bob.fabricUserId)).text).toBe(
      `{"balance":"396","fabricUserId":"${bob.fabricUserId}"}`,
    );
    expect((await call(ids.reader, 'TokenomicsContract:GetTotalSupply')).text).toBe('{"totalSupply":"1000"}');
  });

  it('answers queries in the shapes query-results.ts declares (no missing or extra fields)', async () => {
    const user = newUser();
    await call(ids.registrar, 'IdentityContract:CreateUser', requestId(), user.fabricUserId, user.userJson);
    const queries: Array<[keyof typeof queryResultSchemas, string[]]> = [
      ['AdminContract:Ping', []],
      ['IdentityContract:GetUser', [user.fabricUserId]],
      ['TokenomicsContract:GetBalance', [user.fabricUserId]],
      ['TokenomicsContract:GetTotalSupply', []],
    ];
    for (const [fn, args] of queries) {
      const response = await call(ids.reader, fn, ...args);
      expect(response.status, fn).toBe(200);
      expect(() => queryResultSchemas[fn].strict().parse(JSON.parse(response.text)), fn).not.toThrow();
    }
  });

  it('returns chaincode errors as status 500 with the GX_ message, and refuses unknown functions and bad arity', async () => {
    expect(await call(ids.reader, 'AdminContract:BootstrapSystem', requestId(), '{}')).toEqual(
      expect.objectContaining({ status: 500, message: expect.stringMatching(/^GX_FORBIDDEN: /) }),
    );
    expect(await call(ids.reader, 'TokenomicsContract:Mint', '1')).toEqual(
      expect.objectContaining({
        status: 500,
        message: "You've asked to invoke a function that does not exist: TokenomicsContract:Mint",
      }),
    );
    expect(await call(ids.reader, 'TokenomicsContract:GetBalance')).toEqual(
      expect.objectContaining({
        status: 500,
        message: expect.stringMatching(/Expected 1 parameters, but 0 have been supplied/),
      }),
    );
  });
});
