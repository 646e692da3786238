/**
 * The services one `gx api` process can serve (`--services`); each deploys and scales on its own: every
 * capability slice, and `commands` (command status and its event stream). A module of its own so that the
 * CLI can list and parse them without loading the API (every role's process starts from the same CLI).
 */
import { type CapabilityService, capabilityRoutes } from '../capabilities/index.js';

export type ApiService = CapabilityService | 'commands';
export const API_SERVICES: readonly ApiService[] = [
  ...(Object.keys(capabilityRoutes) as CapabilityService[]),
  'commands',
];

/** Parses `--services identity,tokens`; throws naming an unknown service. `tokenomics` means `tokens`. */
export function parseServices(list: string | undefined): ApiService[] {
  if (list === undefined || list.trim() === '') return [...API_SERVICES];
  const names = list
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return names.map((name) => {
    const service = name === 'tokenomics' ? 'tokens' : name;
    if (!(API_SERVICES as readonly string[]).includes(service)) {
      throw new Error(`unknown service "${name}"; known: ${API_SERVICES.join(', ')}`);
    }
    return service as ApiService;
  });
}
