/**
 * Every migration the code knows, in order. Append only: a released migration is never edited or removed.
 */
import { sql as initialSchema } from './0001_initial_schema.js';
import { sql as submitterSchema } from './0002_submitter.js';
import { sql as projectorSchema } from './0003_projector.js';
import { sql as outboxWriteCost } from './0004_outbox_write_cost.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial_schema', sql: initialSchema },
  { version: 2, name: 'submitter', sql: submitterSchema },
  { version: 3, name: 'projector', sql: projectorSchema },
  { version: 4, name: 'outbox_write_cost', sql: outboxWriteCost },
];
