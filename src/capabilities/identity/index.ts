/**
 * What the identity slice offers other slices and the API role: profiles (read and admin decisions), the
 * first admin, and the KYC keyring. Anything not exported here is the slice's own.
 */
export {
  type AccountStatus,
  accountStatuses,
  barredStatuses,
  type TransitionActor,
  TransitionRefusedError,
  transitionAccount,
} from './account-status.js';
export { ensureFirstAdmin } from './accounts.js';
export { KeyringError, type KycKeyring, parseKycKeyring, reencryptKycDocuments } from './kyc-keyring.js';
export { passwordResetRoutes } from './password-reset-routes.js';
export { configurePasswordWork } from './passwords.js';
export { findProfile, findProfiles, listProfiles, type Profile, setProfileColumns } from './profiles.js';
export { revokeOtherSessions } from './refresh-tokens.js';
