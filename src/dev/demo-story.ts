/**
 * The GX Protocol story, told through the public HTTP API only: two users register, upload their KYC documents
 * (demo-kyc.ts), an admin approves the documents and then the users, which gives them their genesis tokens, one
 * pays the other (with the fee), an overdraft fails with a clear reason, and a confirmed relationship raises both
 * trust scores (demo-trust.ts); with carol, they run an organization whose 2-of-3 payment executes on the second
 * approval (demo-organizations.ts). With a second super admin, the tokenomics chapter follows (demo-tokenomics.ts).
 * `gx demo` prints it; the end-to-end test asserts on what it returns.
 */
import { randomBytes } from 'node:crypto';
import { ApiClient, type CommandOutcome } from './api-client.js';
import { passKyc } from './demo-kyc.js';
import { type DemoOrganizationResult, runOrganizationStory } from './demo-organizations.js';
import { runTokenomicsStory, type TokenomicsStory } from './demo-tokenomics.js';
import { type DemoTrustResult, runTrustStory } from './demo-trust.js';

interface AuthAnswer {
  accessToken: string;
  refreshToken: string;
  user: { profileId: string; email: string; status: string; onchainStatus: string; fabricUserId: string | null };
}
interface Accepted {
  commandId: string;
  status: string;
}
interface Wallet {
  fabricUserId: string;
  balance: string;
}
interface History {
  items: Array<{
    txId: string;
    type: string;
    from: string | null;
    to: string | null;
    amount: string;
    fee: string | null;
  }>;
}

export interface DemoUser {
  email: string;
  profileId: string;
  fabricUserId: string;
  client: ApiClient;
}

export interface DemoResult {
  alice: DemoUser;
  bob: DemoUser;
  genesisBalances: { alice: string; bob: string };
  transferAmount: string;
  finalBalances: { alice: string; bob: string };
  aliceHistory: History['items'];
  overdraft: CommandOutcome;
  /** With a second super admin only: four-eyes needs two. */
  tokenomics?: TokenomicsStory | undefined;
  trust: DemoTrustResult;
  organization: DemoOrganizationResult;
}

export interface DemoOptions {
  baseUrl: string;
  adminEmail: string;
  adminPassword: string;
  /** A second super admin (gx dev makes one): the tokenomics chapter's four-eyes approver. */
  approver?: { email: string; password: string } | undefined;
  log?: (line: string) => void;
}

function settled(outcome: CommandOutcome, what: string): void {
  if (outcome.outcome !== 'projected') {
    throw new Error(`${what} failed: ${outcome.command.error ?? 'no reason given'}`);
  }
}

export async function runDemoStory(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const anonymous = new ApiClient(options.baseUrl);
  const run = randomBytes(3).toString('hex');

  const adminLogin = await anonymous.post<AuthAnswer>('/api/v1/auth/login', {
    email: options.adminEmail,
    password: options.adminPassword,
  });
  const admin = anonymous.as(adminLogin.accessToken);
  log(`admin ${options.adminEmail} logged in`);

  const register = async (name: string, country: string, dateOfBirth: string, gender: string) => {
    const email = `${name}.${run}@example.com`;
    const answer = await anonymous.post<AuthAnswer>('/api/v1/auth/register', {
      fname: name[0]?.toUpperCase() + name.slice(1),
      lname: 'Demo',
      email,
      phoneNum: '+60123456789',
      password: `correct horse ${run} battery`,
      nationalityCountryCode: country,
      dateOfBirth,
      gender,
    });
    log(`registered ${email}: status ${answer.user.status}, on-chain ${answer.user.onchainStatus}`);
    return { email, profileId: answer.user.profileId, client: anonymous.as(answer.accessToken) };
  };
  const aliceAccount = await register('alice', 'MY', '1990-04-01', 'female');
  const bobAccount = await register('bob', 'SG', '1985-11-23', 'male');

  const approve = async (account: { email: string; profileId: string; client: ApiClient }) => {
    await passKyc(admin, account, log);
    const accepted = await admin.post<Accepted>(`/api/v1/admin/users/${account.profileId}/approve`);
    log(`admin approved ${account.email}: command ${accepted.commandId} ${accepted.status}`);
    const outcome = await admin.waitForCommand(accepted.commandId, {
      onStatus: (view) => log(`  CREATE_USER ${view.status}${view.blockNumber ? ` (block ${view.blockNumber})` : ''}`),
    });
    settled(outcome, `approval of ${account.email}`);
    const profile = await admin.get<AuthAnswer['user']>(`/api/v1/users/${account.profileId}`);
    log(`  projected: ${account.email} is ${profile.onchainStatus} as ${profile.fabricUserId}`);
    return profile.fabricUserId ?? '';
  };
  const alice: DemoUser = { ...aliceAccount, fabricUserId: await approve(aliceAccount) };
  const bob: DemoUser = { ...bobAccount, fabricUserId: await approve(bobAccount) };

  // Genesis is decided with the registration: an approved individual's wallet opens with it.
  const genesis = async (user: DemoUser) => {
    const wallet = await user.client.get<Wallet>('/api/v1/wallets/me');
    log(`genesis for ${user.email}: balance ${wallet.balance}`);
    return wallet.balance;
  };
  const genesisBalances = { alice: await genesis(alice), bob: await genesis(bob) };

  const transferAmount = (BigInt(genesisBalances.alice) / 4n).toString();
  const transfer = await alice.client.post<Accepted>('/api/v1/transfers', {
    toFabricUserId: bob.fabricUserId,
    amount: transferAmount,
    memo: 'demo payment',
  });
  log(`alice sends ${transferAmount} to bob: command ${transfer.commandId}`);
  settled(await alice.client.waitForCommand(transfer.commandId), 'transfer');
  const finalBalances = {
    alice: (await alice.client.get<Wallet>('/api/v1/wallets/me')).balance,
    bob: (await bob.client.get<Wallet>('/api/v1/wallets/me')).balance,
  };
  log(`balances: alice ${finalBalances.alice}, bob ${finalBalances.bob}`);
  const aliceHistory = (await alice.client.get<History>('/api/v1/transactions')).items;
  for (const item of aliceHistory) {
    const fee = item.fee === null ? '' : `, fee ${item.fee}`;
    log(`  alice history: ${item.type} ${item.amount}${fee} (${item.from} → ${item.to})`);
  }

  const tooMuch = (BigInt(finalBalances.alice) + 1n).toString();
  const overdraftCommand = await alice.client.post<Accepted>('/api/v1/transfers', {
    toFabricUserId: bob.fabricUserId,
    amount: tooMuch,
  });
  const overdraft = await alice.client.waitForCommand(overdraftCommand.commandId);
  log(`alice tries to send ${tooMuch}: ${overdraft.outcome.toUpperCase()}: ${overdraft.command.error}`);

  const trust = await runTrustStory(alice, bob, log);

  const carolAccount = await register('carol', 'MY', '1992-08-15', 'female');
  const carol: DemoUser = { ...carolAccount, fabricUserId: await approve(carolAccount) };
  const organization = await runOrganizationStory({ alice, bob, carol }, BigInt(finalBalances.alice) / 10n, log);

  const tokenomics =
    options.approver &&
    (await runTokenomicsStory({ anonymous, admin, approver: options.approver, register, approve, log }));
  return {
    alice,
    bob,
    genesisBalances,
    transferAmount,
    finalBalances,
    aliceHistory,
    overdraft,
    trust,
    organization,
    tokenomics,
  };
}
