/**
 * The genesis decision CreateUser makes for every new user (domain.md, "Countries and genesis"): individuals
 * aged minAge–maxAge at the transaction time get the allocation of their country's first phase with a free
 * slot, and the country's treasury its share; everyone else is registered with 0. It reads and writes only
 * keys of the user's country, so registrations in different countries never conflict.
 */
import type { Context } from 'fabric-contract-api';
import type { EventPayload } from './events';
import { accountTypes } from './fabric-user-id';
import { type CountryRecord, type GenesisOutcome, type LedgerParams, slotsOf } from './system-params';
import { type GenesisRecord, keys, readRecord, type WalletRecord, writeRecord } from './world-state';

/** Whole years from `dateOfBirth` to `date` (both `YYYY-MM-DD`): the birthday itself counts as reached. */
export function ageOn(dateOfBirth: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return date.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}

export type GenesisDecision = Extract<EventPayload<'UserCreated'>, { version: 3 }>['genesis'];

/** What a new user gets, as the event reports it and as the world state keeps it. */
export interface GenesisResult {
  decision: GenesisDecision;
  /** The user's opening balance. */
  userBalance: bigint;
}

/**
 * Decides and applies the user's genesis: writes the phase counter, the treasury's wallet and the decision
 * record (the user's own wallet is the caller's to write, with {@link GenesisResult.userBalance}).
 */
export async function decideGenesis(
  ctx: Context,
  params: LedgerParams,
  country: CountryRecord,
  user: { fabricUserId: string; accountType: number; dateOfBirth: string; requestId: string; timestamp: string },
): Promise<GenesisResult> {
  const treasury = (await readRecord<WalletRecord>(ctx, keys.wallet(country.treasuryId))) ?? {
    account: country.treasuryId,
    balance: '0',
  };
  const allocation = await pickPhase(ctx, params, country, user);
  const phase = allocation.outcome === 'ALLOCATED' ? params.genesis.phases[allocation.phase - 1] : undefined;
  let treasuryBalance = BigInt(treasury.balance);
  if (allocation.outcome === 'ALLOCATED' && phase !== undefined) {
    treasuryBalance += BigInt(phase.treasuryAmount);
    await writeRecord(ctx, keys.genesisCount(country.code, allocation.phase), allocation.used);
    await writeRecord(ctx, keys.wallet(country.treasuryId), {
      ...treasury,
      balance: treasuryBalance.toString(),
    } satisfies WalletRecord);
  }
  const decision: GenesisDecision = {
    outcome: allocation.outcome,
    phase: allocation.outcome === 'ALLOCATED' ? allocation.phase : null,
    userAmount: phase?.userAmount ?? '0',
    treasuryAmount: phase?.treasuryAmount ?? '0',
    treasuryId: country.treasuryId,
    treasuryBalance: treasuryBalance.toString(),
    phaseUsed: allocation.outcome === 'ALLOCATED' ? allocation.used : null,
  };
  const { treasuryId: _treasuryId, treasuryBalance: _balance, phaseUsed: _used, ...kept } = decision;
  await writeRecord(ctx, keys.genesis(user.fabricUserId), {
    ...kept,
    fabricUserId: user.fabricUserId,
    requestId: user.requestId,
    timestamp: user.timestamp,
  } satisfies GenesisRecord);
  return { decision, userBalance: BigInt(decision.userAmount) };
}

type Allocation =
  | { outcome: 'ALLOCATED'; phase: number; used: number }
  | { outcome: Exclude<GenesisOutcome, 'ALLOCATED'> };

async function pickPhase(
  ctx: Context,
  params: LedgerParams,
  country: CountryRecord,
  user: { accountType: number; dateOfBirth: string; timestamp: string },
): Promise<Allocation> {
  if (user.accountType !== accountTypes.INDIVIDUAL) return { outcome: 'NOT_INDIVIDUAL' };
  const age = ageOn(user.dateOfBirth, user.timestamp.slice(0, 10));
  // An ineligible user takes no slot (domain.md, "Eligibility and timing"), so no counter is even read.
  if (age < params.genesis.minAge || age > params.genesis.maxAge) return { outcome: 'INELIGIBLE_AGE' };
  for (const [index, phase] of params.genesis.phases.entries()) {
    const used = (await readRecord<number>(ctx, keys.genesisCount(country.code, index + 1))) ?? 0;
    if (used < slotsOf(phase.limit, country.sharePpb))
      return { outcome: 'ALLOCATED', phase: index + 1, used: used + 1 };
  }
  return { outcome: 'EXHAUSTED' };
}
