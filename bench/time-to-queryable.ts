/**
 * Time to queryable: from the API's `202 Accepted` for a transfer to the moment the read model reflects it
 * (the command's event stream announces `projected`), at a steady 100 commands/s, with every role in its
 * own process. Measured with devnet at its fastest (the overhead the backend adds) and with a 2 s commit
 * latency (a production-like block time). Also reports each role's peak RSS.
 */
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../src/dev/api-client.js';
import { passKyc } from '../src/dev/demo-kyc.js';
import { type BenchResult, percentiles, round } from './harness.js';
import { startSystem } from './system.js';

export interface TimeToQueryableOptions {
  serverUrl: string;
  quick: boolean;
}

export interface Sender {
  client: ApiClient;
  fabricUserId: string;
}

export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index] as T);
    }),
  );
}

export async function settle(client: ApiClient, commandId: string, what: string): Promise<void> {
  const outcome = await client.waitForCommand(commandId, { timeoutMs: 600_000 });
  if (outcome.outcome !== 'projected') throw new Error(`${what} failed: ${outcome.command.error}`);
}

/**
 * Registers and approves `count` users through the API, each phase for all users at once; approval registers
 * an individual whose genesis funds it (registrations of one country share its genesis counter, so the
 * submitter runs them one after the other).
 */
export async function seedUsers(anonymous: ApiClient, admin: ApiClient, count: number): Promise<Sender[]> {
  const run = randomBytes(3).toString('hex');
  const accounts: Array<{ email: string; profileId: string; client: ApiClient }> = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const registered = await anonymous.post<{ accessToken: string; user: { profileId: string } }>(
        '/api/v1/auth/register',
        {
          fname: 'Bench',
          lname: `User${i}`,
          email: `bench-${run}-${i}@gx.test`,
          phoneNum: '+60123456789',
          password: `bench-password-${run}`,
          nationalityCountryCode: 'MY',
          dateOfBirth: '1990-01-01',
          gender: 'other',
        },
      );
      accounts.push({
        email: `bench-${run}-${i}@gx.test`,
        profileId: registered.user.profileId,
        client: anonymous.as(registered.accessToken),
      });
    },
  );
  await pool(accounts, 64, async (account) => {
    // Approval requires KYC_APPROVED (GX_KYC_REQUIRED): the documents' path, as a client takes it.
    await passKyc(admin, account);
    const accepted = await admin.post<{ commandId: string }>(`/api/v1/admin/users/${account.profileId}/approve`);
    await settle(admin, accepted.commandId, 'approve');
  });
  const users: Sender[] = [];
  await pool(accounts, 16, async (account) => {
    const wallet = await account.client.get<{ fabricUserId: string }>('/api/v1/wallets/me');
    users.push({ client: account.client, fabricUserId: wallet.fabricUserId });
  });
  return users;
}

/** Sends transfers at `rate`/s for `seconds` s; returns the 202 → projected latency of each (ms). */
export async function measure(
  users: Sender[],
  rate: number,
  seconds: number,
): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const total = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Disjoint pairs in turn: a transfer waits for no other on its accounts while there are more pairs than
    // transfers in flight (rate × latency), which is what the user count is chosen for.
    const pair = i % Math.floor(users.length / 2);
    const from = users[2 * pair] as Sender;
    const target = users[2 * pair + 1] as Sender;
    inFlight.push(
      (async () => {
        const accepted = await from.client.post<{ commandId: string }>('/api/v1/transfers', {
          toFabricUserId: target.fabricUserId,
          amount: '1',
        });
        const acceptedAt = performance.now();
        const outcome = await from.client.waitForCommand(accepted.commandId, { timeoutMs: 600_000 });
        if (outcome.outcome === 'projected') latencies.push(performance.now() - acceptedAt);
        else failed += 1;
      })().catch(() => {
        failed += 1;
      }),
    );
  }
  await Promise.all(inFlight);
  return { latencies, failed };
}

export async function benchTimeToQueryable(options: TimeToQueryableOptions): Promise<BenchResult[]> {
  // Full run: 100 commands/s as the issue asks, with 500 accounts (250 pairs > 100/s × 2.1 s in flight).
  // Quick run: a smoke check of the same path at a quarter of the rate.
  const rate = options.quick ? 25 : 100;
  const seconds = options.quick ? 2 : 15;
  const userCount = options.quick ? 120 : 500;
  const system = await startSystem({ serverUrl: options.serverUrl, commitLatencyMs: 0 });
  try {
    const anonymous = new ApiClient(system.baseUrl);
    const login = await anonymous.post<{ accessToken: string }>('/api/v1/auth/login', system.admin);
    const admin = anonymous.as(login.accessToken);
    const bootstrap = await admin.post<{ commandId: string }>('/api/v1/bootstrap');
    await settle(admin, bootstrap.commandId, 'bootstrap');
    const users = await seedUsers(anonymous, admin, userCount);

    const results: BenchResult[] = [];
    for (const commitLatencyMs of [0, 2000]) {
      if (commitLatencyMs > 0) await system.restartDevnet(commitLatencyMs);
      await measure(users, rate, 1); // warm-up, and the other roles' reconnect after a devnet restart
      const { latencies, failed } = await measure(users, rate, seconds);
      const summary = percentiles(latencies);
      results.push({
        scenario: `time-to-queryable, devnet commit latency ${commitLatencyMs} ms`,
        metric: '202 → projected (p50)',
        value: summary.p50,
        unit: 'ms',
        ...summary,
        goal: commitLatencyMs === 0 ? 'backend overhead: as low as possible' : '≈ commit latency + small overhead',
        settings: { rate, seconds, users: userCount, commands: latencies.length, failed, roles: 'one process each' },
      });
    }
    const rss = await system.peakRss();
    for (const [role, mib] of Object.entries(rss)) {
      results.push({
        scenario: `memory: gx ${role}`,
        metric: 'peak RSS',
        value: round(mib, 0),
        unit: 'MiB',
        settings: { during: 'time-to-queryable scenarios' },
      });
    }
    return results;
  } finally {
    await system.stop();
  }
}
