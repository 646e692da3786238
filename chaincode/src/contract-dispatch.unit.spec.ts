/**
 * The contracts through fabric-contract-api's own dispatcher (what a peer's CCaaS server and devnet run):
 * `Contract:Function` routing, argument conversion from decorator metadata, GetMetadata, and errors as the
 * shim reports them.
 */
import { JSONSerializer } from 'fabric-contract-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { contracts, ledgerParamsSchema, queryResultSchemas, treasuryIdOf } from './index';
import { individual, requestId, systemParams } from './testing/fixtures';
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
  return callWith(identity, new Map(), ...args);
}

/** {@link call} with a transient map on the proposal. */
async function callWith(
  identity: TestIdentity,
  transient: Map<string, Uint8Array>,
  ...args: string[]
): Promise<ShimResponse & { text: string }> {
  const stub = world.newStub(identity, args, transient);
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
      'OrganizationContract',
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
      PauseSystem: { submit: true, params: ['requestId', 'reason'] },
      ResumeSystem: { submit: true, params: ['requestId', 'reason'] },
      AppointAdmin: { submit: true, params: ['requestId', 'appointeeDigest', 'role', 'appointedByDigest'] },
      RevokeAdmin: { submit: true, params: ['requestId', 'adminDigest', 'revokedByDigest'] },
      SetParameter: { submit: true, params: ['requestId', 'name', 'valueJson'] },
      GetSystemStatus: { submit: false, params: [] },
      GetSystemParams: { submit: false, params: [] },
      Ping: { submit: false, params: [] },
    });
    expect(describe('IdentityContract')).toEqual({
      // The user's private facts travel in the transient map, not as an argument.
      CreateUser: { submit: true, params: ['requestId', 'fabricUserId'] },
      GetUser: { submit: false, params: ['fabricUserId'] },
      UpdateUserStatus: { submit: true, params: ['requestId', 'fabricUserId', 'status', 'reason'] },
      RequestRelationship: { submit: true, params: ['requestId', 'fromFabricUserId', 'toFabricUserId', 'type'] },
      ConfirmRelationship: { submit: true, params: ['requestId', 'relationshipId', 'byFabricUserId'] },
      RejectRelationship: { submit: true, params: ['requestId', 'relationshipId', 'byFabricUserId'] },
      EndRelationship: { submit: true, params: ['requestId', 'relationshipId', 'byFabricUserId'] },
      GetRelationship: { submit: false, params: ['relationshipId'] },
      GetTrustScore: { submit: false, params: ['fabricUserId'] },
    });
    expect(describe('TokenomicsContract')).toEqual({
      DistributeGenesis: { submit: true, params: ['requestId', 'fabricUserId'] },
      TransferTokens: { submit: true, params: ['requestId', 'from', 'to', 'amount', 'memo'] },
      ActivateTreasury: { submit: true, params: ['requestId', 'countryCode'] },
      FreezeWallet: { submit: true, params: ['requestId', 'fabricUserId', 'reason', 'notes'] },
      UnfreezeWallet: { submit: true, params: ['requestId', 'fabricUserId', 'reason', 'notes'] },
      GetBalance: { submit: false, params: ['account'] },
      GetWallet: { submit: false, params: ['account'] },
      AuditSupply: { submit: false, params: [] },
      GetSupply: { submit: false, params: [] },
      GetCountry: { submit: false, params: ['code'] },
      ListCountries: { submit: false, params: [] },
      QuoteFee: { submit: false, params: ['from', 'to', 'amount'] },
    });
    const proposal = ['requestId', 'proposerFabricUserId', 'name', 'type', 'countryCode', 'stakeholdersJson'];
    expect(describe('OrganizationContract')).toEqual({
      ProposeOrganization: { submit: true, params: proposal },
      ProposeGovernmentOrganization: { submit: true, params: proposal },
      EndorseOrganization: { submit: true, params: ['requestId', 'orgId', 'byFabricUserId'] },
      SetApprovalRules: { submit: true, params: ['requestId', 'orgId', 'byFabricUserId', 'rulesJson'] },
      InitiatePayment: {
        submit: true,
        params: ['requestId', 'orgId', 'byFabricUserId', 'toFabricUserId', 'amount', 'memo'],
      },
      ApprovePayment: { submit: true, params: ['requestId', 'paymentId', 'byFabricUserId'] },
      RejectPayment: { submit: true, params: ['requestId', 'paymentId', 'byFabricUserId'] },
      ExpirePaymentRequest: { submit: true, params: ['requestId', 'paymentId'] },
      GetOrganization: { submit: false, params: ['orgId'] },
      GetPaymentRequest: { submit: false, params: ['paymentId'] },
    });
  });

  it('runs a whole flow from string arguments and transient data: bootstrap, users with genesis, transfer', async () => {
    expect(
      await call(ids.superAdmin, 'AdminContract:BootstrapSystem', requestId(), JSON.stringify(systemParams())),
    ).toMatchObject({ status: 200 });
    const [alice, bob] = [individual(), individual()];
    for (const user of [alice, bob]) {
      const created = await callWith(
        ids.registrar,
        user.transient,
        'IdentityContract:CreateUser',
        requestId(),
        user.fabricUserId,
      );
      expect(created.status).toBe(200);
      expect(JSON.parse(created.text)).toMatchObject({
        fabricUserId: user.fabricUserId,
        wallet: { balance: '500000000' },
        genesis: { outcome: 'ALLOCATED', phase: 1 },
      });
    }
    const transfer = await call(
      ids.transfer,
      'TokenomicsContract:TransferTokens',
      requestId(),
      alice.fabricUserId,
      bob.fabricUserId,
      '4000000',
      'hello',
    );
    // 4 GX local P2P: 5 bps on top, paid by the sender.
    expect(JSON.parse(transfer.text)).toMatchObject({ fromBalance: '495998000', toBalance: '504000000', fee: '2000' });
    expect(world.events.map((event) => event.name)).toEqual([
      'SystemBootstrapped',
      'UserCreated',
      'UserCreated',
      'TransferCompleted',
    ]);
    expect((await call(ids.reader, 'TokenomicsContract:GetBalance', bob.fabricUserId)).text).toBe(
      `{"balance":"504000000","fabricUserId":"${bob.fabricUserId}"}`,
    );
  });

  it('answers queries in the shapes query-results.ts declares (no missing or extra fields)', async () => {
    const user = individual();
    await callWith(ids.registrar, user.transient, 'IdentityContract:CreateUser', requestId(), user.fabricUserId);
    const queries: Array<[keyof typeof queryResultSchemas, string[]]> = [
      ['AdminContract:Ping', []],
      ['AdminContract:GetSystemStatus', []],
      ['IdentityContract:GetUser', [user.fabricUserId]],
      ['TokenomicsContract:GetBalance', [user.fabricUserId]],
      ['TokenomicsContract:GetSupply', []],
      ['TokenomicsContract:GetWallet', [user.fabricUserId]],
      ['TokenomicsContract:AuditSupply', []],
      ['TokenomicsContract:GetCountry', ['MY']],
      ['TokenomicsContract:ListCountries', []],
      ['TokenomicsContract:QuoteFee', [user.fabricUserId, treasuryIdOf('SG'), '1000']],
    ];
    expect(queries.map(([fn]) => fn).sort()).toEqual(Object.keys(queryResultSchemas).sort());
    for (const [fn, args] of queries) {
      const response = await call(ids.reader, fn, ...args);
      expect(response.status, fn).toBe(200);
      expect(() => queryResultSchemas[fn].strict().parse(JSON.parse(response.text)), fn).not.toThrow();
    }
    const params = JSON.parse((await call(ids.reader, 'AdminContract:GetSystemParams')).text);
    expect(ledgerParamsSchema.safeParse(params).success).toBe(true);
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
