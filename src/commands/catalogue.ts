/**
 * The command catalogue: every command type the backend can put in the outbox, declared once, in the
 * capability slice it belongs to; this is their union (listed in `src/capabilities/index.ts`). Command types
 * live in code, not in a database enum, so adding one needs no migration.
 */
import type { z } from 'zod';
import { commandCatalogue } from '../capabilities/index.js';
import { type CommandDefinition, CommandValidationError, type FieldIssue, type LedgerCall } from './definition.js';

export { CommandValidationError, type FieldIssue, type LedgerCall, type SigningRole } from './definition.js';
export { commandCatalogue };

export type CommandType = keyof typeof commandCatalogue;
export type CommandPayload<T extends CommandType> = z.infer<(typeof commandCatalogue)[T]['payload']>;

export const commandTypes = Object.keys(commandCatalogue) as CommandType[];

export function isCommandType(value: string): value is CommandType {
  return Object.hasOwn(commandCatalogue, value);
}

/** Validates `payload` for `commandType`; throws {@link CommandValidationError} naming each bad field. */
export function validateCommand<T extends CommandType>(commandType: T, payload: unknown): CommandPayload<T>;
export function validateCommand(commandType: string, payload: unknown): unknown;
export function validateCommand(commandType: string, payload: unknown): unknown {
  if (!isCommandType(commandType)) {
    throw new CommandValidationError(commandType, [
      { field: 'commandType', message: `unknown command type; known: ${commandTypes.join(', ')}` },
    ]);
  }
  const result = (commandCatalogue[commandType].payload as z.ZodType).safeParse(payload);
  if (!result.success) {
    throw new CommandValidationError(
      commandType,
      result.error.issues.flatMap((issue): FieldIssue[] => {
        const at = (key?: string) => [...issue.path.map(String), ...(key === undefined ? [] : [key])].join('.');
        if (issue.code === 'unrecognized_keys')
          return issue.keys.map((key) => ({ field: at(key), message: 'unknown field' }));
        return [{ field: at() || '(payload)', message: issue.message }];
      }),
    );
  }
  return result.data;
}

/** Validates a stored command and maps it to its chaincode call (what the submitter does before submitting). */
export function toLedgerCall(commandType: string, requestId: string, payload: unknown): LedgerCall {
  const valid = validateCommand(commandType, payload);
  const definition = commandCatalogue[commandType as CommandType] as CommandDefinition<unknown>;
  return {
    contract: definition.contract,
    fn: definition.fn,
    args: definition.args(requestId, valid),
    transient: definition.transient?.(valid),
    signer: definition.signer,
    conflictKeys: definition.conflictKeys(valid),
  };
}
