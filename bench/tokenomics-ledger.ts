/**
 * The ledger the tokenomics bench rows run on, and how they measure: a scratch database, devnet in a child
 * process running gxtv3 bootstrapped with the default parameters (the full country table), and the real
 * submitter draining outbox backlogs through the real Fabric Gateway client. Each phase inserts a backlog of
 * one kind of command, starts a submitter, waits until every row is final, and takes the sustained rate from
 * the rows' own `committed_at` between the 10th and 90th percentile (ramp-up and tail excluded), as the
 * submitter rows do (submitter.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type FeeBands,
  feeParameterNames,
  generateFabricUserId,
  identityDigest,
  type SystemParams,
  systemParamsSchema,
} from '@gx/chaincode';
import pg from 'pg';
import { DEFAULT_SYSTEM_PARAMS } from '../src/capabilities/admin/default-system-params.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrator.js';
import { createLedgerClient, type LedgerClient } from '../src/ledger/index.js';
import { createLogger } from '../src/observability/logger.js';
import { startSubmitter } from '../src/submitter/index.js';
import { devnetProcess, waitUntilSettled } from './submitter.js';

/** Submitter window of every phase: far above what the conflict keys let run at once. */
const WINDOW = 4_096;

export interface PhaseRate {
  /** Sustained committed commands per second (p10–p90 of commit times). */
  perSecond: number;
  commands: number;
  failed: number;
}

/** The mean rate of phases of one kind (their commands and failures summed). */
export function mean(rates: readonly PhaseRate[]): PhaseRate {
  const sum = (pick: (rate: PhaseRate) => number) => rates.reduce((total, rate) => total + pick(rate), 0);
  return {
    perSecond: Math.round(sum((rate) => rate.perSecond) / Math.max(rates.length, 1)),
    commands: sum((rate) => rate.commands),
    failed: sum((rate) => rate.failed),
  };
}

export interface TokenomicsLedger {
  /**
   * Registers `count` individuals (CREATE_USER with genesis) spread round-robin over the first `countries`
   * countries of the default table; resolves to their ids (in that order) and the phase's rate.
   */
  register(count: number, countries: number): Promise<{ ids: string[]; rate: PhaseRate }>;
  /**
   * Transfers between disjoint pairs (ids[2i], ids[2i+1]), `perPair` each, alternating direction so balances
   * hover; a pair's transfers run one after the other (they share keys), the pairs side by side.
   */
  transfer(ids: readonly string[], perPair: number, amount: bigint): Promise<PhaseRate>;
  /** Sets every fee cell on the ledger (SetParameter), e.g. to zero for plain transfers. */
  setFees(cell: (name: (typeof feeParameterNames)[number]) => FeeBands): Promise<void>;
  close(): Promise<void>;
}

export const zeroFeeCell = (): FeeBands => [{ minAmount: '0', bps: 0 }];

/** The default schedule's band array of a cell named `fees.<TYPE>.<SCOPE>`. */
export function defaultFeeCell(name: (typeof feeParameterNames)[number]): FeeBands {
  const [, type, scope] = name.split('.') as [string, keyof SystemParams['fees'], 'LOCAL' | 'CROSS_BORDER'];
  return DEFAULT_SYSTEM_PARAMS.fees[type][scope];
}

export async function startTokenomicsLedger(serverUrl: string): Promise<TokenomicsLedger> {
  const logger = createLogger({ level: 'warn', role: 'bench' });
  const database = `gx_bench_tokenomics_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 16 });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-tokenomics-'));
  // Commit-status calls wait at the gateway for their block: the limit must exceed the window.
  const devnet = await devnetProcess({ dataDir, port: 0, commitLatencyMs: 0, concurrencyLimit: WINDOW * 2 + 1_000 });
  const ledger: LedgerClient = await createLedgerClient(loadConfig(devnet.env()).fabric, { logger, name: 'bench' });
  const close = async () => {
    await ledger.close();
    await devnet.close();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await migrate(pool);
    await ledger.submit({
      contract: 'AdminContract',
      fn: 'BootstrapSystem',
      args: ['bench-bootstrap', JSON.stringify(systemParamsSchema.parse(DEFAULT_SYSTEM_PARAMS))],
      signer: 'super_admin',
    });
  } catch (error) {
    await close();
    throw error;
  }

  let settled = 0;
  let phaseNumber = 0;
  /** Inserts the phase's rows, drains them with a fresh submitter, and measures the rate. */
  const phase = async (commandType: string, payloads: readonly object[]): Promise<PhaseRate> => {
    phaseNumber += 1;
    const tag = `bench-tokenomics-${phaseNumber}`;
    for (let done = 0; done < payloads.length; done += 5_000) {
      await pool.query(
        `INSERT INTO outbox_command (command_type, request_id, payload, submitted_by)
         SELECT $1, gen_random_uuid()::text, p, $3 FROM unnest($2::jsonb[]) AS p`,
        [commandType, payloads.slice(done, done + 5_000).map((payload) => JSON.stringify(payload)), tag],
      );
    }
    const submitter = await startSubmitter({
      pool,
      clientConfig: { connectionString: url.toString() },
      ledger,
      logger,
      window: WINDOW,
      batchSize: 512,
      maxAttempts: 8,
    });
    try {
      settled += payloads.length;
      await waitUntilSettled(pool, settled, 600_000);
    } finally {
      await submitter.stop();
    }
    const rate = await pool.query<{ t10: Date; t90: Date; failed: number }>(
      `SELECT percentile_disc(0.1) WITHIN GROUP (ORDER BY committed_at) AS t10,
              percentile_disc(0.9) WITHIN GROUP (ORDER BY committed_at) AS t90,
              count(*) FILTER (WHERE status = 'FAILED')::int AS failed
         FROM outbox_command WHERE submitted_by = $1`,
      [tag],
    );
    const { t10, t90, failed } = rate.rows[0] as { t10: Date; t90: Date; failed: number };
    const span = Math.max((t90.getTime() - t10.getTime()) / 1000, 0.001);
    return { perSecond: Math.round((payloads.length * 0.8) / span), commands: payloads.length, failed };
  };

  return {
    async register(count, countries) {
      const codes = DEFAULT_SYSTEM_PARAMS.countries.slice(0, countries).map((country) => country.code);
      const payloads = Array.from({ length: count }, (_, index) => {
        const facts = {
          email: `bench-${randomUUID()}@example.com`,
          countryCode: codes[index % codes.length] as string,
          dateOfBirth: '1990-06-15',
          gender: 'female' as const,
          accountType: 0,
        };
        return {
          fabricUserId: generateFabricUserId(facts),
          profileId: randomUUID(),
          countryCode: facts.countryCode,
          dateOfBirth: facts.dateOfBirth,
          gender: facts.gender,
          accountType: facts.accountType,
          identityDigest: identityDigest(facts),
        };
      });
      const rate = await phase('CREATE_USER', payloads);
      return { ids: payloads.map((payload) => payload.fabricUserId), rate };
    },
    async transfer(ids, perPair, amount) {
      const payloads = [];
      // Round by round, so every pair has a transfer near the front of the backlog.
      for (let round = 0; round < perPair; round += 1) {
        for (let pair = 0; pair + 1 < ids.length; pair += 2) {
          const [a, b] = [ids[pair] as string, ids[pair + 1] as string];
          const [from, to] = round % 2 === 0 ? [a, b] : [b, a];
          payloads.push({ fromFabricUserId: from, toFabricUserId: to, amount: amount.toString(), memo: '' });
        }
      }
      return phase('TRANSFER_TOKENS', payloads);
    },
    async setFees(cell) {
      for (const name of feeParameterNames) {
        await ledger.submit({
          contract: 'AdminContract',
          fn: 'SetParameter',
          args: [`bench-fees-${randomUUID()}`, name, JSON.stringify(cell(name))],
          signer: 'super_admin',
        });
      }
    },
    close,
  };
}
