/**
 * The capability slices, listed once. Each slice (`identity/`, `admin/`, `tokens/`, `trust/`) owns its command
 * declarations, routes, service logic and SQL, projection handlers with their read models, and specs; the
 * engines below them (outbox, submitter, projector, HTTP kernel) take what they need from here and never
 * import a slice.
 *
 * Commands and projections are plain data and load with this module; routes load only when the API is built
 * (`import()`), so the submitter and the projector never load Fastify or the services' dependencies.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Mailer } from '../mail/mailer.js';
import type { LedgerProbe } from '../observability/health.js';
import type { OutboxBatcher } from '../outbox/group-commit.js';
import type { Projection } from '../projector/projection.js';
import { adminCommands } from './admin/commands.js';
import {
  adminAppointed,
  adminRevoked,
  parameterChanged,
  profileRoles,
  systemBootstrapped,
  systemParameters,
  systemPauseChanged,
  systemState,
  totalSupplyChanged,
} from './admin/projection.js';
import { identityCommands } from './identity/commands.js';
import type { KycKeyring } from './identity/index.js';
import { profileLocks, profileRegistrations, userCreated, userStatusChanged } from './identity/projection.js';
import { organizationCommands } from './organizations/commands.js';
import {
  approvalRulesSet,
  organizationEndorsed,
  organizationPaymentApprovals,
  organizationPayments,
  organizationProposed,
  organizationStakeholders,
  organizations,
  paymentApproved,
  paymentExpired,
  paymentInitiated,
  paymentRejected,
} from './organizations/projection.js';
import { tokenCommands } from './tokens/commands.js';
import { genesisDistributed, history, transferCompleted, walletOpened, wallets } from './tokens/projection.js';
import {
  countries,
  countryPhases,
  feeCollected,
  genesisAllocated,
  supplyBootstrapped,
  systemPools,
  treasuryActivated,
  walletFreezeChanged,
  walletFreezes,
} from './tokens/supply-projection.js';
import { trustCommands } from './trust/commands.js';
import {
  relationshipConfirmed,
  relationshipEnded,
  relationshipRejected,
  relationshipRequested,
  relationships,
  trustScores,
} from './trust/projection.js';

/** Every command type, by name (see `src/commands/catalogue.ts`). */
export const commandCatalogue = {
  ...adminCommands,
  ...identityCommands,
  ...tokenCommands,
  ...trustCommands,
  ...organizationCommands,
} as const;

/** The read-model projection: who handles each chaincode event, and the order tables are written in. */
export const projection: Projection = {
  handlers: {
    SystemBootstrapped: [systemBootstrapped, supplyBootstrapped],
    UserCreated: [userCreated, walletOpened, genesisAllocated],
    UserStatusChanged: [userStatusChanged],
    GenesisDistributed: [genesisDistributed, totalSupplyChanged],
    TransferCompleted: [transferCompleted, feeCollected],
    SystemPauseChanged: [systemPauseChanged],
    WalletFreezeChanged: [walletFreezeChanged],
    TreasuryActivated: [treasuryActivated],
    AdminAppointed: [adminAppointed],
    AdminRevoked: [adminRevoked],
    ParameterChanged: [parameterChanged],
    RelationshipRequested: [relationshipRequested],
    RelationshipConfirmed: [relationshipConfirmed],
    RelationshipRejected: [relationshipRejected],
    RelationshipEnded: [relationshipEnded],
    OrganizationProposed: [organizationProposed],
    OrganizationEndorsed: [organizationEndorsed],
    ApprovalRulesSet: [approvalRulesSet],
    PaymentInitiated: [paymentInitiated],
    PaymentApproved: [paymentApproved],
    PaymentRejected: [paymentRejected],
    PaymentExpired: [paymentExpired],
  },
  // Profiles are registered before the wallets that link to them and before locks and roles that find them by
  // Fabric user id or digest.
  readModels: [
    profileRegistrations,
    wallets,
    history,
    profileLocks,
    profileRoles,
    systemState,
    systemParameters,
    systemPools,
    countries,
    countryPhases,
    walletFreezes,
    relationships,
    trustScores,
    organizations,
    organizationStakeholders,
    organizationPayments,
    organizationPaymentApprovals,
  ],
};

/** What every slice's routes may use; each takes what it needs. */
export interface CapabilityContext {
  pool: pg.Pool;
  /** Group commit for commands that carry no off-chain change. */
  outbox: OutboxBatcher;
  /** Absent: the ledger is reported unreachable (degraded). */
  ledger: LedgerProbe | undefined;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Absent: KYC submissions answer 503. */
  kycKeyring: KycKeyring | undefined;
  /** Whether approving a user requires KYC_APPROVED (off only for development). */
  kycRequired: boolean;
  /** How long a transfer may reuse its sender's lock/registration state (ms; 0 = never). */
  senderCacheTtlMs: number;
  /** Seconds a four-eyes request waits for its decision before it reads as EXPIRED. */
  approvalTtlSeconds: number;
  /** Server secret from which a rotated refresh token's successor is derived (concurrent refreshes). */
  refreshKey: string;
  /** Seconds a rotated refresh token still yields its successor instead of counting as reuse. */
  refreshReuseGraceSeconds: number;
  /** Failed logins allowed per (account, source) and per source before backoff. */
  loginFailures: { perAccountSource: number; perSource: number };
  /** Absent: the password-reset routes are not served (src/mail/mail-setup.ts). */
  mailer: Mailer | undefined;
  /** The clock of expiries the API decides itself (password-reset tokens); injectable for tests. */
  now: () => Date;
}

/** A slice's routes: a Fastify plugin over the shared context. */
export type CapabilityRoutes = (app: FastifyInstance, context: CapabilityContext) => Promise<void>;

/** The API services that are capability slices, each with its routes (`gx api --services`). */
export const capabilityRoutes = {
  identity: async (): Promise<CapabilityRoutes> => {
    const [{ identityRoutes }, { passwordResetRoutes }] = await Promise.all([
      import('./identity/routes.js'),
      import('./identity/index.js'),
    ]);
    return async (app, context) => {
      await identityRoutes(app, context);
      await passwordResetRoutes(app, context);
    };
  },
  admin: async (): Promise<CapabilityRoutes> => (await import('./admin/routes.js')).adminRoutes,
  tokens: async (): Promise<CapabilityRoutes> => (await import('./tokens/routes.js')).tokenRoutes,
  trust: async (): Promise<CapabilityRoutes> => (await import('./trust/routes.js')).trustRoutes,
  organizations: async (): Promise<CapabilityRoutes> => (await import('./organizations/routes.js')).organizationRoutes,
} as const;

export type CapabilityService = keyof typeof capabilityRoutes;
// Authentication checks the account behind a token on each request (src/http/auth.ts).
export { type AccountState, findAccountStates } from './identity/account-state.js';
export type { KycKeyring };
