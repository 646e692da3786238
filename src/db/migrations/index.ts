/**
 * Every migration the code knows, in order. Append only: a released migration is never edited or removed.
 */
import { sql as initialSchema } from './0001_initial_schema.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [{ version: 1, name: 'initial_schema', sql: initialSchema }];
