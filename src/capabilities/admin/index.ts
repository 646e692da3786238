/** What the admin slice offers other code: the system parameters a bootstrap uses when none are given. */
export { DEFAULT_SYSTEM_PARAMS } from './default-system-params.js';
