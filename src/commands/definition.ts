/**
 * What a command declaration is: the payload schema (the API validates with it before writing a row, the
 * submitter again before submitting one), the chaincode function it becomes with its arguments, the identity
 * that must sign it, and the services allowed to enqueue it. Each capability slice declares its commands
 * with {@link defineCommand} in its `commands.ts`; `src/commands/catalogue.ts` is their union.
 */
import type { z } from 'zod';
import { InvalidRequestError } from '../ledger/errors.js';
import type { SigningRole } from '../ledger/types.js';

export type { SigningRole };

/** The API services (see `gx api --services`) that may enqueue commands. */
export type Service = 'identity' | 'admin' | 'tokenomics' | 'trust' | 'organizations' | 'scheduler';

export interface CommandDefinition<Payload> {
  payload: z.ZodType<Payload>;
  contract: string;
  fn: string;
  /** Chaincode arguments, all strings; the request id makes every call idempotent on the ledger. */
  args(requestId: string, payload: Payload): string[];
  /**
   * Fabric transient data for the call (key → text): what the endorsers must see but no block may keep, e.g.
   * a user's date of birth. Absent: the call carries none.
   */
  transient?(payload: Payload): Record<string, string>;
  signer: SigningRole;
  enqueuedBy: readonly Service[];
  /**
   * Ledger keys the chaincode function reads and writes. Two commands sharing a key, endorsed before either
   * commits, make one of them fail MVCC validation; the submitter runs such commands one after the other
   * (in claim order) instead of letting them race and retry.
   */
  conflictKeys(payload: Payload): string[];
}

/** Keeps a declaration's type checks (payload ↔ args ↔ conflict keys) at the declaration. */
export function defineCommand<Payload>(definition: CommandDefinition<Payload>): CommandDefinition<Payload> {
  return definition;
}

/** One bad field of a command payload. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** A payload (or command type) that the catalogue rejects; permanent, never worth a retry. */
export class CommandValidationError extends InvalidRequestError {
  readonly issues: readonly FieldIssue[];

  constructor(commandType: string, issues: readonly FieldIssue[]) {
    super(`Invalid ${commandType} command: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
    this.name = 'CommandValidationError';
    this.issues = issues;
  }
}

/** A validated command, ready to become a chaincode call. */
export interface LedgerCall {
  contract: string;
  fn: string;
  args: string[];
  /** See {@link CommandDefinition.transient}. */
  transient?: Record<string, string> | undefined;
  signer: SigningRole;
  /** See {@link CommandDefinition.conflictKeys}. */
  conflictKeys: string[];
}
