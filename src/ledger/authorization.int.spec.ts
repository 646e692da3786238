/**
 * The review's findings replayed over gRPC with the real @hyperledger/fabric-gateway client: identities of a
 * foreign organization that the peer admits as a channel member (devnet with a second member organization),
 * and the backend's own identities used outside their role. Each write is refused with GX_FORBIDDEN at
 * endorsement and the ledger keeps the victim's balance, status and the absence of the users they tried to
 * create. On an external ledger the wrong-role cases run with its configured identities; the foreign
 * organization's need devnet's CAs.
 */
import { randomUUID } from 'node:crypto';
import { errorCodeOf, functionRoles, profileDigest, type StateChangingFunction } from '@gx/chaincode';
import { EndorseError, type Gateway } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { individual, newUser, requestId } from '../../chaincode/src/testing/fixtures.js';
import { connectTestGateway, type TestGateway } from '../../test/support/devnet.js';
import {
  bootstrapTestLedger,
  devnetOnly,
  externalLedger,
  firstTierGenesis,
  startTestLedger,
  type TestLedger,
} from '../../test/support/ledger.js';
import { DEFAULT_SYSTEM_PARAMS } from '../capabilities/admin/index.js';
import { type FabricRole, loadConfig } from '../config.js';
import type { PemIdentity } from '../devnet/index.js';
import { createLogger } from '../observability/logger.js';
import { createLedgerClient } from './client.js';
import { classifyError } from './errors.js';
import type { LedgerClient } from './types.js';

const FOREIGN_MSP = 'ForeignMSP';
const logger = createLogger({ level: 'silent', role: 'test' });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

let testLedger: TestLedger;
let ledger: LedgerClient;
let chaincode: string;
const gateways: TestGateway[] = [];
let alice: ReturnType<typeof newUser>;
let bob: ReturnType<typeof newUser>;
let aliceBalance: string;

/** A gateway signing as `identity` (a role of the backend, or any minted identity). */
function gatewayAs(identity: FabricRole | (PemIdentity & { mspId: string })): Gateway {
  const client = connectTestGateway(
    testLedger.connection,
    typeof identity === 'string' ? { as: identity } : { identity },
  );
  gateways.push(client);
  return client.gateway;
}

/** One attack: the function, its arguments, and the transient data its proposal carries. */
type Attack = [name: StateChangingFunction, args: string[], transient?: Record<string, string>];

/**
 * Submits `Contract:fn(args)` (with `transient` data) through `gateway`; resolves to the chaincode's error code
 * of the refusal.
 */
async function refusal(
  gateway: Gateway,
  name: string,
  args: string[],
  transient: Record<string, string> = {},
): Promise<string | undefined> {
  const [contract = '', fn = ''] = name.split(':');
  const error = await gateway
    .getNetwork(testLedger.connection.channel)
    .getContract(chaincode, contract)
    .submit(fn, { arguments: args, transientData: transient })
    .then(
      () => new Error(`${name} was accepted`),
      (failure: unknown) => failure as Error,
    );
  // A chaincode refusal arrives as an EndorseError whose detail carries the chaincode's message.
  expect(error, name).toBeInstanceOf(EndorseError);
  const details = (error as EndorseError).details.map((detail) => detail.message).join('\n');
  return errorCodeOf(details);
}

/** Every state-changing function (each one, checked below) used against the victim, with fresh request ids. */
function attacks(): Attack[] {
  const stranger = newUser();
  const attacker = profileDigest('attacker');
  const list: Attack[] = [
    ['AdminContract:BootstrapSystem', [requestId(), JSON.stringify(DEFAULT_SYSTEM_PARAMS)]],
    ['AdminContract:PauseSystem', [requestId(), 'halt everything']],
    ['AdminContract:ResumeSystem', [requestId(), 'resume']],
    ['AdminContract:AppointAdmin', [requestId(), attacker, 'super_admin', profileDigest('accomplice')]],
    ['AdminContract:RevokeAdmin', [requestId(), profileDigest('victim admin'), attacker]],
    ['AdminContract:SetParameter', [requestId(), 'fees.P2P.LOCAL', JSON.stringify([{ minAmount: '0', bps: 1000 }])]],
    ['IdentityContract:CreateUser', [requestId(), stranger.fabricUserId], { user: stranger.userJson }],
    ['IdentityContract:UpdateUserStatus', [requestId(), alice.fabricUserId, 'LOCKED', 'taken over']],
    ['IdentityContract:RequestRelationship', [requestId(), alice.fabricUserId, bob.fabricUserId, 'SPOUSE']],
    ['IdentityContract:ConfirmRelationship', [requestId(), 'f'.repeat(32), alice.fabricUserId]],
    ['IdentityContract:RejectRelationship', [requestId(), 'f'.repeat(32), alice.fabricUserId]],
    ['IdentityContract:EndRelationship', [requestId(), 'f'.repeat(32), alice.fabricUserId]],
    ['TokenomicsContract:DistributeGenesis', [requestId(), bob.fabricUserId]],
    ['TokenomicsContract:ActivateTreasury', [requestId(), 'MY']],
    ['TokenomicsContract:FreezeWallet', [requestId(), alice.fabricUserId, 'ADMIN_ACTION', 'taken over']],
    ['TokenomicsContract:UnfreezeWallet', [requestId(), alice.fabricUserId, 'ADMIN_ACTION', '']],
    ['TokenomicsContract:TransferTokens', [requestId(), alice.fabricUserId, bob.fabricUserId, '990', 'mine now']],
    ...(['ProposeOrganization', 'ProposeGovernmentOrganization'] as const).map(
      (fn): Attack => [
        `OrganizationContract:${fn}`,
        [
          requestId(),
          alice.fabricUserId,
          'Shell Co',
          fn === 'ProposeOrganization' ? 'BUSINESS' : 'GOVERNMENT',
          'MY',
        ].concat(JSON.stringify([alice.fabricUserId, bob.fabricUserId])),
      ],
    ),
    ['OrganizationContract:EndorseOrganization', [requestId(), 'f'.repeat(32), bob.fabricUserId]],
    [
      'OrganizationContract:SetApprovalRules',
      [
        requestId(),
        'f'.repeat(32),
        alice.fabricUserId,
        JSON.stringify([{ minAmount: '0', requiredApprovals: 1, approvers: [alice.fabricUserId] }]),
      ],
    ],
    [
      'OrganizationContract:InitiatePayment',
      [requestId(), 'f'.repeat(32), alice.fabricUserId, bob.fabricUserId, '990', ''],
    ],
    ['OrganizationContract:ApprovePayment', [requestId(), 'f'.repeat(32), alice.fabricUserId]],
    ['OrganizationContract:RejectPayment', [requestId(), 'f'.repeat(32), alice.fabricUserId]],
    ['OrganizationContract:ExpirePaymentRequest', [requestId(), 'f'.repeat(32)]],
  ];
  return list;
}

async function expectVictimUntouched(): Promise<void> {
  const balance = JSON.parse(text(await ledger.evaluate('TokenomicsContract', 'GetBalance', [alice.fabricUserId])));
  expect(balance.balance).toBe(aliceBalance);
  const user = JSON.parse(text(await ledger.evaluate('IdentityContract', 'GetUser', [alice.fabricUserId])));
  expect(user.status).toBe('ACTIVE');
  const bobBalance = JSON.parse(text(await ledger.evaluate('TokenomicsContract', 'GetBalance', [bob.fabricUserId])));
  expect(bobBalance.balance).toBe('0');
  const status = JSON.parse(text(await ledger.evaluate('AdminContract', 'GetSystemStatus', [])));
  expect(status.paused).toBe(false);
  const country = JSON.parse(text(await ledger.evaluate('TokenomicsContract', 'GetCountry', ['MY'])));
  expect(country.treasuryStatus).toBe('LOCKED');
  const params = JSON.parse(text(await ledger.evaluate('AdminContract', 'GetSystemParams', [])));
  expect(params.fees).toEqual(DEFAULT_SYSTEM_PARAMS.fees);
  // Still free to move: not frozen, and the fee schedule as bootstrapped.
  const quote = JSON.parse(
    text(await ledger.evaluate('TokenomicsContract', 'QuoteFee', [alice.fabricUserId, bob.fabricUserId, '1000000'])),
  );
  expect(quote.feeBps).toBe(15);
}

beforeAll(async () => {
  testLedger = await startTestLedger({ devnet: { memberOrganizations: [FOREIGN_MSP] } });
  const env = testLedger.env();
  chaincode = env.GX_FABRIC_CHAINCODE ?? 'gxtv3';
  ledger = await createLedgerClient(loadConfig(env).fabric, { logger, name: 'authorization-spec' });
}, 60_000);

afterAll(async () => {
  for (const client of gateways) client.close();
  await ledger?.close();
  await testLedger?.stop();
});

describe('ledger authorization over gRPC', () => {
  it.skipIf(externalLedger)(
    `refuses a bootstrap by a foreign organization's OU=admin and super_admin on a fresh ledger ${devnetOnly('needs an empty ledger and a second organization')}`,
    async () => {
      const foreignAdmin = await testLedger.issueIdentity({
        mspId: FOREIGN_MSP,
        organizationalUnit: 'admin',
        commonName: 'Admin@foreign',
      });
      const foreignSuperAdmin = await testLedger.issueIdentity({ mspId: FOREIGN_MSP, role: 'super_admin' });
      const params = JSON.stringify({ ...DEFAULT_SYSTEM_PARAMS, authorization: { adminOuFallback: true } });
      for (const identity of [foreignAdmin, foreignSuperAdmin]) {
        expect(await refusal(gatewayAs(identity), 'AdminContract:BootstrapSystem', [requestId(), params])).toBe(
          'GX_FORBIDDEN',
        );
      }
      // Nor may the backend's own admin (not super admin) or a role-less identity of the right organization.
      const noRole = await testLedger.issueIdentity({});
      for (const gateway of [gatewayAs('admin'), gatewayAs(noRole)]) {
        expect(await refusal(gateway, 'AdminContract:BootstrapSystem', [requestId(), params])).toBe('GX_FORBIDDEN');
      }
      await expect(ledger.evaluate('AdminContract', 'GetSystemParams', [])).rejects.toThrow(/GX_NOT_BOOTSTRAPPED/);
    },
  );

  describe('on a bootstrapped ledger with a victim holding tokens', () => {
    beforeAll(async () => {
      await bootstrapTestLedger(ledger, DEFAULT_SYSTEM_PARAMS, `bootstrap-${randomUUID()}`);
      // Alice, an individual, holds her genesis; bob, a business, nothing.
      [alice, bob] = [individual(), newUser()];
      for (const user of [alice, bob]) {
        await ledger.submit({
          contract: 'IdentityContract',
          fn: 'CreateUser',
          args: [requestId(), user.fabricUserId],
          transient: { user: user.userJson },
          signer: 'registrar',
        });
      }
      aliceBalance = firstTierGenesis(DEFAULT_SYSTEM_PARAMS).toString();
    }, 60_000);

    it('refuses every write signed by a backend identity of another role, and by the reader', async () => {
      expect(attacks().map(([name]) => name)).toEqual(Object.keys(functionRoles));
      for (const [name, args, transient] of attacks()) {
        const wrong = (['super_admin', 'admin', 'registrar', 'transfer', 'reader'] as const).filter(
          (role) => role !== functionRoles[name],
        );
        for (const role of wrong) {
          expect(await refusal(gatewayAs(role), name, args, transient), `${name} as ${role}`).toBe('GX_FORBIDDEN');
        }
      }
      await expectVictimUntouched();
    });

    it('refuses the backend ledger client a write signed by the wrong role (GX_FORBIDDEN, permanent)', async () => {
      const error = await ledger
        .submit({
          contract: 'TokenomicsContract',
          fn: 'TransferTokens',
          args: [requestId(), alice.fabricUserId, bob.fabricUserId, '990', ''],
          signer: 'registrar',
        })
        .then(
          () => new Error('the transfer was accepted'),
          (failure: unknown) => failure as Error,
        );
      expect(classifyError(error)).toMatchObject({ kind: 'PERMANENT', reason: 'GX_FORBIDDEN' });
      await expectVictimUntouched();
    });

    it.skipIf(externalLedger)(
      `refuses every write by a foreign organization's identities, whatever their role or OU ${devnetOnly('needs a second organization')}`,
      async () => {
        const foreign = [
          await testLedger.issueIdentity({ mspId: FOREIGN_MSP, organizationalUnit: 'client', commonName: 'made-up' }),
          await testLedger.issueIdentity({ mspId: FOREIGN_MSP, organizationalUnit: 'admin', commonName: 'Admin@x' }),
          ...(await Promise.all(
            (['super_admin', 'admin', 'registrar', 'transfer'] as const).map((role) =>
              testLedger.issueIdentity({ mspId: FOREIGN_MSP, role }),
            ),
          )),
        ];
        for (const [index, identity] of foreign.entries()) {
          for (const [name, args, transient] of attacks()) {
            expect(
              await refusal(gatewayAs(identity), name, args, transient),
              `${name} as foreign identity ${index}`,
            ).toBe('GX_FORBIDDEN');
          }
        }
        await expectVictimUntouched();
      },
    );

    it.skipIf(externalLedger)(
      `refuses a role-less, an unknown-role and an OU=admin identity of the ledger's own organization ${devnetOnly("needs devnet's CA")}`,
      async () => {
        const own = [
          await testLedger.issueIdentity({}),
          await testLedger.issueIdentity({ role: 'user' }),
          await testLedger.issueIdentity({ organizationalUnit: 'admin', commonName: 'Admin@devnet' }),
        ];
        for (const identity of own) {
          for (const [name, args, transient] of attacks()) {
            expect(await refusal(gatewayAs(identity), name, args, transient), name).toBe('GX_FORBIDDEN');
          }
        }
        await expectVictimUntouched();
      },
    );
  });
});
