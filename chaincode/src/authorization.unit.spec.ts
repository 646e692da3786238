/**
 * Every state-changing function under every wrong identity: a foreign organization (with the right role, and
 * its OU=admin), every other role, no role, an unknown role, and a cryptogen admin where the OU fallback is
 * off. Each must fail with GX_FORBIDDEN and leave the transaction without a single write or event (checked on
 * the transaction's own stub, not only on the committed world, which would drop the writes of a failure anyway).
 */
import type { Context } from 'fabric-contract-api';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminContract } from './admin-contract';
import { functionRoles, type StateChangingFunction, subjectOrganizationalUnits } from './authorization';
import { IdentityContract } from './identity-contract';
import { OrganizationContract } from './organization-contract';
import { organizationIdOf, paymentIdOf } from './organizations';
import { profileDigest } from './profile-digest';
import type { SystemParams } from './system-params';
import { individual, type NewUserFixture, requestId, systemParams } from './testing/fixtures';
import { createIdentity, createTestIdentities, type TestIdentities, type TestIdentity } from './testing/identities';
import { contextFor, MemoryWorld } from './testing/memory-world';
import { TokenomicsContract } from './tokenomics-contract';
import { relationshipIdOf } from './trust';
import { keys } from './world-state';

const admin = new AdminContract();
const identity = new IdentityContract();
const tokenomics = new TokenomicsContract();
const organizations = new OrganizationContract();

let ids: TestIdentities;
let world: MemoryWorld;
let alice: NewUserFixture;
let bob: NewUserFixture;

beforeAll(async () => {
  ids = await createTestIdentities();
});

/** An appointment that exists in the prepared world, for RevokeAdmin to find. */
const appointed = profileDigest('appointed admin');
const appointer = profileDigest('appointing super admin');
/** A relationship alice asked bob to confirm in the prepared world, for confirm, reject and end to find. */
const pendingRequest = requestId();
const pending = relationshipIdOf(pendingRequest);
/** An organization alice proposed with bob (bob has not endorsed) and one both endorsed, in the prepared world. */
const proposedOrgRequest = requestId();
const proposedOrg = organizationIdOf(proposedOrgRequest);
const verifiedOrgRequest = requestId();
const verifiedOrg = organizationIdOf(verifiedOrgRequest);
/** A payment of the verified organization alice initiated, waiting for bob's approval (2 of 2). */
const pendingPaymentRequest = requestId();
const pendingPayment = paymentIdOf(pendingPaymentRequest);

/**
 * A bootstrapped world where alice holds her genesis (500 GX), bob exists, one admin is appointed and alice
 * has asked bob to confirm a friendship.
 */
async function preparedWorld(params: SystemParams = systemParams()): Promise<void> {
  world = new MemoryWorld();
  await world.invoke(ids.superAdmin, (ctx) => admin.BootstrapSystem(ctx, requestId(), JSON.stringify(params)));
  [alice, bob] = [individual(), individual()];
  for (const user of [alice, bob]) {
    await world.invoke(
      ids.registrar,
      (ctx) => identity.CreateUser(ctx, requestId(), user.fabricUserId),
      user.transient,
    );
  }
  await world.invoke(ids.superAdmin, (ctx) => admin.AppointAdmin(ctx, requestId(), appointed, 'admin', appointer));
  await world.invoke(ids.registrar, (ctx) =>
    identity.RequestRelationship(ctx, pendingRequest, alice.fabricUserId, bob.fabricUserId, 'FRIEND'),
  );
  const pair = JSON.stringify([alice.fabricUserId, bob.fabricUserId]);
  for (const orgRequest of [proposedOrgRequest, verifiedOrgRequest]) {
    await world.invoke(ids.registrar, (ctx) =>
      organizations.ProposeOrganization(ctx, orgRequest, alice.fabricUserId, 'Acme', 'BUSINESS', 'MY', pair),
    );
  }
  const endorsed = JSON.parse(
    await world.invoke(ids.registrar, (ctx) =>
      organizations.EndorseOrganization(ctx, requestId(), verifiedOrg, bob.fabricUserId),
    ),
  ) as { organization: { fabricUserId: string } };
  const rules = JSON.stringify([
    { minAmount: '1', requiredApprovals: 2, approvers: [alice.fabricUserId, bob.fabricUserId] },
  ]);
  await world.invoke(ids.registrar, (ctx) =>
    organizations.SetApprovalRules(ctx, requestId(), verifiedOrg, alice.fabricUserId, rules),
  );
  await world.invoke(ids.transfer, (ctx) =>
    tokenomics.TransferTokens(ctx, requestId(), alice.fabricUserId, endorsed.organization.fabricUserId, '10000', ''),
  );
  await world.invoke(ids.transfer, (ctx) =>
    organizations.InitiatePayment(
      ctx,
      pendingPaymentRequest,
      verifiedOrg,
      alice.fabricUserId,
      bob.fabricUserId,
      '900',
      '',
    ),
  );
}

/** One call of a function: the transient map its proposal carries, and the call itself. */
interface Call {
  transient?: Map<string, Uint8Array>;
  run(ctx: Context, id: string): Promise<string>;
}

/**
 * Each state-changing function with arguments that would succeed (or fail for a reason other than its caller:
 * see {@link outcomeForItsRole}).
 */
const calls: Record<StateChangingFunction, () => Call> = {
  'AdminContract:BootstrapSystem': () => ({
    run: (ctx, id) => admin.BootstrapSystem(ctx, id, JSON.stringify(systemParams())),
  }),
  'AdminContract:PauseSystem': () => ({ run: (ctx, id) => admin.PauseSystem(ctx, id, 'drill') }),
  'AdminContract:ResumeSystem': () => ({ run: (ctx, id) => admin.ResumeSystem(ctx, id, 'drill over') }),
  'AdminContract:AppointAdmin': () => ({
    run: (ctx, id) => admin.AppointAdmin(ctx, id, profileDigest(requestId()), 'admin', appointer),
  }),
  'AdminContract:RevokeAdmin': () => ({ run: (ctx, id) => admin.RevokeAdmin(ctx, id, appointed, appointer) }),
  'AdminContract:SetParameter': () => ({
    run: (ctx, id) => admin.SetParameter(ctx, id, 'fees.P2P.LOCAL', JSON.stringify([{ minAmount: '0', bps: 7 }])),
  }),
  'IdentityContract:CreateUser': () => {
    const user = individual();
    return { transient: user.transient, run: (ctx, id) => identity.CreateUser(ctx, id, user.fabricUserId) };
  },
  'IdentityContract:UpdateUserStatus': () => ({
    run: (ctx, id) => identity.UpdateUserStatus(ctx, id, alice.fabricUserId, 'LOCKED', 'taken over'),
  }),
  'IdentityContract:RequestRelationship': () => ({
    run: (ctx, id) => identity.RequestRelationship(ctx, id, alice.fabricUserId, bob.fabricUserId, 'SIBLING'),
  }),
  'IdentityContract:ConfirmRelationship': () => ({
    run: (ctx, id) => identity.ConfirmRelationship(ctx, id, pending, bob.fabricUserId),
  }),
  'IdentityContract:RejectRelationship': () => ({
    run: (ctx, id) => identity.RejectRelationship(ctx, id, pending, bob.fabricUserId),
  }),
  'IdentityContract:EndRelationship': () => ({
    run: (ctx, id) => identity.EndRelationship(ctx, id, pending, alice.fabricUserId),
  }),
  'TokenomicsContract:DistributeGenesis': () => ({
    run: (ctx, id) => tokenomics.DistributeGenesis(ctx, id, bob.fabricUserId),
  }),
  'TokenomicsContract:ActivateTreasury': () => ({ run: (ctx, id) => tokenomics.ActivateTreasury(ctx, id, 'MY') }),
  'TokenomicsContract:FreezeWallet': () => ({
    run: (ctx, id) => tokenomics.FreezeWallet(ctx, id, alice.fabricUserId, 'ADMIN_ACTION', 'taken over'),
  }),
  'TokenomicsContract:UnfreezeWallet': () => ({
    run: (ctx, id) => tokenomics.UnfreezeWallet(ctx, id, alice.fabricUserId, 'ADMIN_ACTION', ''),
  }),
  'TokenomicsContract:TransferTokens': () => ({
    run: (ctx, id) => tokenomics.TransferTokens(ctx, id, alice.fabricUserId, bob.fabricUserId, '990', ''),
  }),
  'OrganizationContract:ProposeOrganization': () => ({
    run: (ctx, id) =>
      organizations.ProposeOrganization(ctx, id, alice.fabricUserId, 'Shop', 'BUSINESS', 'MY', stakeholders()),
  }),
  'OrganizationContract:ProposeGovernmentOrganization': () => ({
    run: (ctx, id) =>
      organizations.ProposeGovernmentOrganization(
        ctx,
        id,
        alice.fabricUserId,
        'Works',
        'GOVERNMENT',
        'MY',
        stakeholders(),
      ),
  }),
  'OrganizationContract:EndorseOrganization': () => ({
    run: (ctx, id) => organizations.EndorseOrganization(ctx, id, proposedOrg, bob.fabricUserId),
  }),
  'OrganizationContract:SetApprovalRules': () => ({
    run: (ctx, id) => organizations.SetApprovalRules(ctx, id, verifiedOrg, bob.fabricUserId, '[]'),
  }),
  'OrganizationContract:InitiatePayment': () => ({
    run: (ctx, id) =>
      organizations.InitiatePayment(ctx, id, verifiedOrg, alice.fabricUserId, bob.fabricUserId, '5', ''),
  }),
  'OrganizationContract:ApprovePayment': () => ({
    run: (ctx, id) => organizations.ApprovePayment(ctx, id, pendingPayment, bob.fabricUserId),
  }),
  'OrganizationContract:RejectPayment': () => ({
    run: (ctx, id) => organizations.RejectPayment(ctx, id, pendingPayment, bob.fabricUserId),
  }),
  'OrganizationContract:ExpirePaymentRequest': () => ({
    run: (ctx, id) => organizations.ExpirePaymentRequest(ctx, id, pendingPayment),
  }),
};

function stakeholders(): string {
  return JSON.stringify([alice.fabricUserId, bob.fabricUserId]);
}

/**
 * What a function called by its own role gives in the prepared world: success, except DistributeGenesis,
 * whose genesis was decided when the user was created, and ExpirePaymentRequest, whose request has not expired
 * (refusals past the caller check all the same).
 */
function outcomeForItsRole(fn: StateChangingFunction): RegExp | undefined {
  if (fn === 'TokenomicsContract:DistributeGenesis') return /^GX_ALREADY_EXISTS: /;
  return fn === 'OrganizationContract:ExpirePaymentRequest' ? /^GX_PAYMENT_NOT_EXPIRED: / : undefined;
}

const functions = Object.keys(calls) as StateChangingFunction[];

/** The organization's identity holding `role`. */
function holderOf(role: (typeof functionRoles)[StateChangingFunction]): TestIdentity {
  return { super_admin: ids.superAdmin, admin: ids.admin, registrar: ids.registrar, transfer: ids.transfer }[role];
}

/** Every identity that must not run `fn`, by name. */
function wrongIdentities(fn: StateChangingFunction): Array<[string, TestIdentity]> {
  const right = holderOf(functionRoles[fn]);
  const own: Array<[string, TestIdentity]> = [
    ['super_admin', ids.superAdmin],
    ['admin', ids.admin],
    ['registrar', ids.registrar],
    ['transfer', ids.transfer],
    ['reader', ids.reader],
  ];
  return [
    ...own.filter(([, candidate]) => candidate !== right),
    ['no gx.role', ids.noRole],
    ['gx.role=user, OU=administrators', ids.nearMiss],
    ['OU=admin without the OU fallback', ids.ouAdmin],
    ['foreign MSP with the right role', foreignHolderOf(functionRoles[fn])],
    ['foreign MSP OU=admin', ids.foreign.ouAdmin],
  ];
}

function foreignHolderOf(role: (typeof functionRoles)[StateChangingFunction]): TestIdentity {
  const foreign = ids.foreign;
  return {
    super_admin: foreign.superAdmin,
    admin: foreign.admin,
    registrar: foreign.registrar,
    transfer: foreign.transfer,
  }[role];
}

/** Runs `fn` as `caller` in a transaction that is never committed; returns the error and what it wrote. */
async function attempt(caller: TestIdentity, fn: StateChangingFunction, id = requestId()) {
  const call = calls[fn]();
  const stub = world.newStub(caller, [], call.transient);
  const error = await call.run(contextFor(stub), id).then(
    () => undefined,
    (failure: unknown) => failure as Error,
  );
  return { error, writes: stub.writes.size, eventCalls: stub.eventCalls };
}

describe('authorization of every state-changing function', () => {
  beforeEach(async () => {
    await preparedWorld();
  });

  it('names a role for every function that changes state, and the right role succeeds', async () => {
    expect(Object.keys(functionRoles).sort()).toEqual([...functions].sort());
    for (const fn of functions.filter((name) => name !== 'AdminContract:BootstrapSystem')) {
      const { error, writes, eventCalls } = await attempt(holderOf(functionRoles[fn]), fn);
      const refusal = outcomeForItsRole(fn);
      if (refusal !== undefined) {
        expect(error?.message, fn).toMatch(refusal);
        continue;
      }
      expect(error, fn).toBeUndefined();
      expect(writes, fn).toBeGreaterThan(0);
      expect(eventCalls, fn).toBe(1);
    }
    // Bootstrap by its role fails only because it already happened.
    expect((await attempt(ids.superAdmin, 'AdminContract:BootstrapSystem')).error?.message).toMatch(
      /^GX_ALREADY_BOOTSTRAPPED: /,
    );
  });

  for (const fn of Object.keys(functionRoles) as StateChangingFunction[]) {
    it(`${fn}: GX_FORBIDDEN with nothing written for a foreign MSP, every wrong role and no role`, async () => {
      const before = new Map(world.state);
      for (const [name, caller] of wrongIdentities(fn)) {
        const { error, writes, eventCalls } = await attempt(caller, fn);
        expect(error?.message, `${fn} as ${name}`).toMatch(/^GX_FORBIDDEN: /);
        expect(writes, `${fn} as ${name}`).toBe(0);
        expect(eventCalls, `${fn} as ${name}`).toBe(0);
      }
      expect(world.state).toEqual(before);
    });
  }

  it('refuses a replay of a used request id to a wrong identity instead of returning its result', async () => {
    const id = requestId();
    await world.invoke(ids.transfer, (ctx) => calls['TokenomicsContract:TransferTokens']().run(ctx, id));
    expect((await attempt(ids.transfer, 'TokenomicsContract:TransferTokens', id)).error).toBeUndefined();
    const { error, writes } = await attempt(ids.foreign.transfer, 'TokenomicsContract:TransferTokens', id);
    expect(error?.message).toMatch(/^GX_FORBIDDEN: TokenomicsContract:TransferTokens: organization "Org2MSP"/);
    expect(writes).toBe(0);
  });

  it('says which role is needed and which the caller has', async () => {
    expect((await attempt(ids.registrar, 'TokenomicsContract:TransferTokens')).error?.message).toBe(
      'GX_FORBIDDEN: TokenomicsContract:TransferTokens needs gx.role=transfer; the caller has gx.role=registrar',
    );
    expect((await attempt(ids.noRole, 'IdentityContract:CreateUser')).error?.message).toBe(
      'GX_FORBIDDEN: IdentityContract:CreateUser needs gx.role=registrar; the caller has no gx.role attribute',
    );
    expect((await attempt(ids.foreign.registrar, 'IdentityContract:CreateUser')).error?.message).toBe(
      'GX_FORBIDDEN: IdentityContract:CreateUser: organization "Org2MSP" is not configured on this ledger (Org1MSP)',
    );
  });
});

describe('configured organizations and the cryptogen OU fallback', () => {
  it('lets the organizations listed at bootstrap act by role, and only by role', async () => {
    await preparedWorld(systemParams({ authorization: { organizations: ['Org2MSP'] } }));
    expect((await attempt(ids.foreign.registrar, 'IdentityContract:CreateUser')).error).toBeUndefined();
    expect((await attempt(ids.foreign.transfer, 'IdentityContract:CreateUser')).error?.message).toMatch(
      /^GX_FORBIDDEN: /,
    );
    expect((await attempt(ids.foreign.ouAdmin, 'IdentityContract:CreateUser')).error?.message).toMatch(
      /^GX_FORBIDDEN: /,
    );
  });

  it('with the fallback, accepts an attribute-less OU=admin of a configured organization for every function', async () => {
    await preparedWorld(systemParams({ authorization: { adminOuFallback: true } }));
    for (const fn of functions.filter((name) => name !== 'AdminContract:BootstrapSystem')) {
      const refusal = outcomeForItsRole(fn);
      if (refusal === undefined) expect((await attempt(ids.ouAdmin, fn)).error, fn).toBeUndefined();
      else expect((await attempt(ids.ouAdmin, fn)).error?.message, fn).toMatch(refusal);
      expect((await attempt(ids.foreign.ouAdmin, fn)).error?.message, fn).toMatch(/^GX_FORBIDDEN: /);
    }
    // An attribute decides over the OU: an OU=admin certificate enrolled as a reader stays a reader.
    const ouAdminReader = await createIdentity('CN=Admin@org1.example.com, OU=admin', { 'gx.role': 'reader' });
    expect((await attempt(ouAdminReader, 'TokenomicsContract:TransferTokens')).error?.message).toMatch(
      /^GX_FORBIDDEN: .*the caller has gx.role=reader/,
    );
  });

  it('on a ledger bootstrapped before policies were stored, allows the peer organization by role', async () => {
    await preparedWorld();
    world.state.delete(keys.authorization);
    expect((await attempt(ids.transfer, 'TokenomicsContract:TransferTokens')).error).toBeUndefined();
    expect((await attempt(ids.foreign.transfer, 'TokenomicsContract:TransferTokens')).error?.message).toMatch(
      /^GX_FORBIDDEN: /,
    );
  });
});

describe('subject OUs', () => {
  it('reads every OU of the subject', async () => {
    const multiOu = (await createIdentity('CN=Admin@org1, OU=org1, OU=admin, OU=department1')).certPem;
    expect(subjectOrganizationalUnits(Buffer.from(multiOu))).toEqual(['org1', 'admin', 'department1']);
  });

  it('does not take an OU value that smuggles a line break or merely mentions admin', async () => {
    const lookalike = (await createIdentity([{ CN: ['admin'] }, { OU: ['x\nOU=admin'] }, { OU: ['admins'] }])).certPem;
    // Node escapes the control character, so the value stays on its own line.
    expect(subjectOrganizationalUnits(Buffer.from(lookalike))).toEqual(['x\\0AOU=admin', 'admins']);
  });

  it('treats bytes that are not a certificate as no OUs', () => {
    expect(subjectOrganizationalUnits(Buffer.from('not a certificate'))).toEqual([]);
  });
});
