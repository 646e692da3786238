/**
 * The tokenomics chapter of `gx demo`, through the public HTTP API only: two users of two more countries get
 * their genesis from their country's phase (and their treasuries their share); a fee quote, then the
 * cross-border transfer it quoted, charged exactly that; a frozen recipient refusing a transfer; and a pause
 * requested by one super admin and approved by another, refusing a transfer until the same four eyes resume.
 * It ends with the system resumed and both wallets unfrozen.
 */
import type { ApiClient, CommandOutcome } from './api-client.js';

/** A registered, not yet approved account, as the demo's registration step returns it. */
export interface RegisteredAccount {
  email: string;
  profileId: string;
  client: ApiClient;
}

export interface TokenomicsStoryContext {
  anonymous: ApiClient;
  /** The first super admin: approves registrations, freezes, and requests the pause and the resume. */
  admin: ApiClient;
  /** A second super admin's login: approves the first's four-eyes requests (nobody approves their own). */
  approver: { email: string; password: string };
  register(name: string, country: string, dateOfBirth: string, gender: string): Promise<RegisteredAccount>;
  /** Approves a registration; resolves to the user's Fabric id once it is projected. */
  approve(account: RegisteredAccount): Promise<string>;
  log(line: string): void;
}

interface Country {
  code: string;
  currentPhase: number | null;
  phases: { phase: number; slots: number; used: number }[];
  treasury: { status: string; balance: string };
}

export interface FeeQuote {
  type: string;
  scope: string;
  feeBps: number;
  fee: string;
  total: string;
}

export interface TokenomicsStory {
  users: { fabricUserId: string; country: string; genesis: string }[];
  quote: FeeQuote;
  transfer: { amount: string; charged: string; fee: string | null };
  frozenRefusal: CommandOutcome;
  pausedRefusal: CommandOutcome;
  afterResume: CommandOutcome;
}

interface Accepted {
  commandId: string;
}

const settled = (outcome: CommandOutcome, what: string): CommandOutcome => {
  if (outcome.outcome !== 'projected') throw new Error(`${what} failed: ${outcome.command.error ?? 'no reason'}`);
  return outcome;
};

export async function runTokenomicsStory(context: TokenomicsStoryContext): Promise<TokenomicsStory> {
  const { anonymous, admin, log } = context;
  const approverLogin = await anonymous.post<{ accessToken: string }>('/api/v1/auth/login', context.approver);
  const approver = anonymous.as(approverLogin.accessToken);
  log(`second super admin ${context.approver.email} logged in`);

  const people = [];
  for (const [name, country, dateOfBirth, gender] of [
    ['dewi', 'ID', '1994-02-11', 'female'],
    ['kamau', 'KE', '1979-09-30', 'male'],
  ] as const) {
    const account = await context.register(name, country, dateOfBirth, gender);
    const fabricUserId = await context.approve(account);
    const { balance } = await account.client.get<{ balance: string }>('/api/v1/wallets/me');
    const view = await anonymous.get<Country>(`/api/v1/countries/${country}`);
    const phase = view.phases.find((entry) => entry.phase === (view.currentPhase ?? 0));
    log(
      `genesis by country: ${name} (${country}) receives ${balance}; ${country} is in phase ${view.currentPhase} ` +
        `(${phase?.used ?? 0} of ${phase?.slots ?? 0} slots used), its ${view.treasury.status} treasury holds ${view.treasury.balance}`,
    );
    people.push({ name, country, fabricUserId, genesis: balance, account });
  }
  const [dewi, kamau] = people as [(typeof people)[number], (typeof people)[number]];

  const send = async (amount: string) => {
    const accepted = await dewi.account.client.post<Accepted>('/api/v1/transfers', {
      toFabricUserId: kamau.fabricUserId,
      amount,
      memo: 'tokenomics demo',
    });
    return dewi.account.client.waitForCommand(accepted.commandId);
  };
  const balance = async () =>
    BigInt((await dewi.account.client.get<{ balance: string }>('/api/v1/wallets/me')).balance);

  const amount = '40000000';
  const quote = await dewi.account.client.get<FeeQuote>(
    `/api/v1/fees/quote?toFabricUserId=${encodeURIComponent(kamau.fabricUserId)}&amount=${amount}`,
  );
  log(`fee quote, dewi → kamau ${amount}: ${quote.type} ${quote.scope}, ${quote.feeBps} bps, fee ${quote.fee}`);
  const before = await balance();
  settled(await send(amount), 'the quoted transfer');
  const charged = (before - (await balance())).toString();
  const history = await dewi.account.client.get<{ items: { fee: string | null }[] }>('/api/v1/transactions?limit=1');
  const fee = history.items[0]?.fee ?? null;
  log(`dewi sends ${amount} across the border: charged ${charged} (amount + fee ${fee}), as quoted`);

  const freeze = async (action: 'freeze' | 'unfreeze', reason: string) => {
    const accepted = await admin.post<Accepted>(`/api/v1/admin/users/${kamau.account.profileId}/${action}`, {
      reason,
      notes: 'gx demo',
    });
    settled(await admin.waitForCommand(accepted.commandId), `the ${action}`);
    log(`admin ${action === 'freeze' ? 'froze' : 'unfroze'} kamau's wallet (${reason})`);
  };
  await freeze('freeze', 'COMPLIANCE_REVIEW');
  const frozenRefusal = await send('1000000');
  log(`dewi sends to the frozen wallet: ${frozenRefusal.outcome.toUpperCase()}: ${frozenRefusal.command.error}`);
  await freeze('unfreeze', 'ADMIN_ACTION');

  // Four eyes: the first super admin asks, the second approves; the command is enqueued only then.
  const fourEyes = async (action: 'PAUSE_SYSTEM' | 'RESUME_SYSTEM', reason: string) => {
    const request = await admin.post<{ approvalId: string }>('/api/v1/admin/approvals', {
      action,
      payload: { reason },
    });
    const approved = await approver.post<Accepted>(`/api/v1/admin/approvals/${request.approvalId}/approve`);
    settled(await approver.waitForCommand(approved.commandId), action);
    log(`${action}: requested by one super admin, approved by another, committed`);
  };
  await fourEyes('PAUSE_SYSTEM', 'gx demo: pause drill');
  let pausedRefusal: CommandOutcome;
  try {
    pausedRefusal = await send('1000000');
    log(`dewi sends while paused: ${pausedRefusal.outcome.toUpperCase()}: ${pausedRefusal.command.error}`);
  } finally {
    // The system a demo paused must not stay paused, whatever happened in between.
    await fourEyes('RESUME_SYSTEM', 'gx demo: drill over');
  }
  const afterResume = await send('1000000');
  log(`dewi sends after the resume: ${afterResume.outcome.toUpperCase()}`);

  return {
    users: people.map(({ fabricUserId, country, genesis }) => ({ fabricUserId, country, genesis })),
    quote,
    transfer: { amount, charged, fee },
    frozenRefusal,
    pausedRefusal,
    afterResume,
  };
}
