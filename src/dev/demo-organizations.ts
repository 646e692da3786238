/**
 * The organizations chapter of `gx demo` (docs/organizations.md): alice proposes an organization with bob and
 * carol, they endorse it and it is verified with an account of its own; alice funds it, sets a 2-of-3 rule,
 * asks it to pay carol, and bob's approval, the second, executes the payment with the transfer fee. Public
 * HTTP API only, like the rest of the story.
 */
import type { ApiClient, CommandOutcome } from './api-client.js';
import type { DemoUser } from './demo-story.js';

interface Organization {
  orgId: string;
  status: string;
  fabricUserId: string | null;
  balance: string | null;
}
interface Payment {
  paymentId: string;
  status: string;
  approvals: Array<{ fabricUserId: string }>;
}

export interface DemoOrganizationResult {
  orgId: string;
  account: string;
  funded: string;
  amount: string;
  /** The payment's status after alice's initiation (1 approval of 2) and after bob's approval. */
  statuses: { initiated: string; approved: string };
  approvals: number;
  organizationBalance: string;
}

async function projected(client: ApiClient, accepted: { commandId: string }, what: string): Promise<void> {
  const outcome: CommandOutcome = await client.waitForCommand(accepted.commandId);
  if (outcome.outcome !== 'projected') throw new Error(`${what} failed: ${outcome.command.error ?? 'no reason given'}`);
}

export async function runOrganizationStory(
  people: { alice: DemoUser; bob: DemoUser; carol: DemoUser },
  funds: bigint,
  log: (line: string) => void,
): Promise<DemoOrganizationResult> {
  const { alice, bob, carol } = people;
  const proposed = await alice.client.post<{ commandId: string; orgId: string }>('/api/v1/organizations', {
    name: 'Demo Traders',
    type: 'BUSINESS',
    countryCode: 'MY',
    stakeholders: [alice.fabricUserId, bob.fabricUserId, carol.fabricUserId],
  });
  await projected(alice.client, proposed, 'organization proposal');
  const path = `/api/v1/organizations/${proposed.orgId}`;
  log(`alice proposes organization ${proposed.orgId} with bob and carol (her proposal is her endorsement)`);
  for (const [name, user] of [
    ['bob', bob],
    ['carol', carol],
  ] as const) {
    await projected(
      user.client,
      await user.client.post<{ commandId: string }>(`${path}/endorse`),
      `${name}'s endorsement`,
    );
    log(`  ${name} endorses`);
  }
  const verified = await alice.client.get<Organization>(path);
  if (verified.status !== 'VERIFIED' || verified.fabricUserId === null)
    throw new Error('the organization was not verified');
  const account = verified.fabricUserId;
  log(`  verified: account ${account}`);

  await projected(
    alice.client,
    await alice.client.post<{ commandId: string }>('/api/v1/transfers', {
      toFabricUserId: account,
      amount: funds.toString(),
    }),
    'funding the organization',
  );
  const rules = [
    { minAmount: '1', requiredApprovals: 2, approvers: [alice.fabricUserId, bob.fabricUserId, carol.fabricUserId] },
  ];
  await projected(
    alice.client,
    await alice.client.request<{ commandId: string }>('PUT', `${path}/rules`, rules),
    'the rules',
  );
  log(`alice funds it with ${funds} and sets the rule: 2 of alice, bob and carol`);

  const amount = (funds / 2n).toString();
  const initiated = await alice.client.post<{ commandId: string; paymentId: string }>(`${path}/payments`, {
    toFabricUserId: carol.fabricUserId,
    amount,
    memo: 'demo invoice',
  });
  await projected(alice.client, initiated, 'payment request');
  const payment = async () =>
    (await alice.client.get<{ items: Payment[] }>(`${path}/payments`)).items.find(
      (item) => item.paymentId === initiated.paymentId,
    );
  const first = await payment();
  log(`alice asks it to pay carol ${amount}: ${first?.status} with ${first?.approvals.length} approval of 2`);
  await projected(
    bob.client,
    await bob.client.post<{ commandId: string }>(`${path}/payments/${initiated.paymentId}/approve`),
    "bob's approval",
  );
  const second = await payment();
  const after = await alice.client.get<Organization>(path);
  log(`bob approves: ${second?.status}; the organization holds ${after.balance} (amount and fee paid)`);
  if (second?.status !== 'EXECUTED') throw new Error('the 2-of-3 payment did not execute');
  return {
    orgId: proposed.orgId,
    account,
    funded: funds.toString(),
    amount,
    statuses: { initiated: first?.status ?? 'missing', approved: second.status },
    approvals: second.approvals.length,
    organizationBalance: after.balance ?? '0',
  };
}
