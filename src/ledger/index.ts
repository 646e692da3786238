/**
 * Ledger access for every role: one Fabric Gateway client, its error classification and its credentials.
 */
export { createLedgerClient, DEFAULT_DEADLINES, type LedgerClientOptions, type PhaseDeadlines } from './client.js';
export {
  type FabricCredentials,
  type LedgerAccess,
  loadFabricCredentials,
  readIdentity,
  type SigningCredentials,
} from './credentials.js';
export {
  CommitError,
  CommitStatusError,
  CredentialError,
  classifyError,
  EndorseError,
  type ErrorClassification,
  type ErrorKind,
  GatewayError,
  InvalidRequestError,
  isEndorsementMismatch,
  isEndorsementOutage,
  LedgerClosedError,
  LedgerConfigurationError,
  newCommitError,
  validationCodeName,
} from './errors.js';
export type {
  CommitOutcome,
  EndorsedTransaction,
  LedgerCallRequest,
  LedgerClient,
  LedgerEvent,
  LedgerEventsOptions,
  LedgerHealth,
  SigningRole,
  SubmitOptions,
  SubmittedTransaction,
} from './types.js';
