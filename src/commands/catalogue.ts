/**
 * The command catalogue: every command type the backend can put in the outbox, declared once.
 *
 * Each declaration holds the payload schema (the API validates with it before writing a row, the submitter
 * again before submitting one), the chaincode function it becomes with its arguments, the identity that must
 * sign it, and the services allowed to enqueue it. Command types live here, not in a database enum, so adding
 * one needs no migration.
 */
import { amountSchema, systemParamsSchema } from '@gx/chaincode';
import { z } from 'zod';

/** The API services (see `gx api --services`) that may enqueue commands. */
export type Service = 'identity' | 'admin' | 'tokenomics';

/** Which of the backend's Fabric identities (one per role, `gx.role`) signs the transaction. */
export type SigningIdentity = 'super_admin' | 'admin' | 'registrar' | 'transfer';

/** Canonical Fabric user id, `CC CCC AAANNN TCCCC NNNN` (format only; the chaincode checks the checksum). */
export const fabricUserIdSchema = z
  .string()
  .regex(
    /^[A-Z]{2} [0-9A-F]{3} [A-Z]{3}[0-9]{3} [0-9A-F][A-Z]{4} [0-9]{4}$/,
    'must be a Fabric user id like "MY A3F HBF934 0ABCD 1234"',
  );

/** A transfer amount: whole smallest units, as a decimal string, greater than zero. */
export const positiveAmountSchema = amountSchema.refine((value) => value !== '0', 'must be greater than zero');

export interface CommandDefinition<Payload> {
  payload: z.ZodType<Payload>;
  contract: string;
  fn: string;
  /** Chaincode arguments, all strings; the request id makes every call idempotent on the ledger. */
  args(requestId: string, payload: Payload): string[];
  signer: SigningIdentity;
  enqueuedBy: readonly Service[];
  /**
   * Ledger keys the chaincode function reads and writes. Two commands sharing a key, endorsed before either
   * commits, make one of them fail MVCC validation; the submitter runs such commands one after the other
   * (in claim order) instead of letting them race and retry.
   */
  conflictKeys(payload: Payload): string[];
}

function define<Payload>(definition: CommandDefinition<Payload>): CommandDefinition<Payload> {
  return definition;
}

export const commandCatalogue = {
  BOOTSTRAP_SYSTEM: define({
    payload: z.object({ params: systemParamsSchema }).strict(),
    contract: 'AdminContract',
    fn: 'BootstrapSystem',
    args: (requestId, payload) => [requestId, JSON.stringify(payload.params)],
    signer: 'super_admin',
    enqueuedBy: ['admin'],
    conflictKeys: () => ['system'],
  }),
  CREATE_USER: define({
    payload: z
      .object({
        profileId: z.uuid(),
        fabricUserId: fabricUserIdSchema,
        countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
        dateOfBirth: z.iso.date(),
        gender: z.enum(['male', 'female', 'other']),
        accountType: z.number().int().min(0).max(15),
        /** Hex SHA-1 of `lower(email)|dateOfBirth|countryCode`: lets the chaincode check the id's checksum without PII. */
        identityDigest: z.string().regex(/^[0-9a-f]{40}$/, 'must be a hex SHA-1 digest'),
      })
      .strict(),
    contract: 'IdentityContract',
    fn: 'CreateUser',
    args: (requestId, { fabricUserId, ...user }) => [requestId, fabricUserId, JSON.stringify(user)],
    signer: 'registrar',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`user:${payload.fabricUserId}`, `profile:${payload.profileId}`],
  }),
  UPDATE_USER_STATUS: define({
    payload: z
      .object({ fabricUserId: fabricUserIdSchema, status: z.enum(['ACTIVE', 'LOCKED']), reason: z.string().max(500) })
      .strict(),
    contract: 'IdentityContract',
    fn: 'UpdateUserStatus',
    args: (requestId, payload) => [requestId, payload.fabricUserId, payload.status, payload.reason],
    signer: 'registrar',
    enqueuedBy: ['admin'],
    conflictKeys: (payload) => [`user:${payload.fabricUserId}`],
  }),
  DISTRIBUTE_GENESIS: define({
    payload: z.object({ fabricUserId: fabricUserIdSchema }).strict(),
    contract: 'TokenomicsContract',
    fn: 'DistributeGenesis',
    args: (requestId, payload) => [requestId, payload.fabricUserId],
    signer: 'admin',
    enqueuedBy: ['admin'],
    // Every allocation moves the total supply and the tier counter: genesis is serial on any ledger.
    conflictKeys: (payload) => ['supply', `user:${payload.fabricUserId}`],
  }),
  TRANSFER_TOKENS: define({
    payload: z
      .object({
        fromFabricUserId: fabricUserIdSchema,
        toFabricUserId: fabricUserIdSchema,
        amount: positiveAmountSchema,
        memo: z.string().max(256).default(''),
      })
      .strict(),
    contract: 'TokenomicsContract',
    fn: 'TransferTokens',
    args: (requestId, payload) => [
      requestId,
      payload.fromFabricUserId,
      payload.toFabricUserId,
      payload.amount,
      payload.memo,
    ],
    signer: 'transfer',
    enqueuedBy: ['tokenomics'],
    // The fee collector's balance is written too when a fee applies; with fees on, that key is the hot spot.
    conflictKeys: (payload) => [`user:${payload.fromFabricUserId}`, `user:${payload.toFabricUserId}`],
  }),
} as const;

export type CommandType = keyof typeof commandCatalogue;
export type CommandPayload<T extends CommandType> = z.infer<(typeof commandCatalogue)[T]['payload']>;

export const commandTypes = Object.keys(commandCatalogue) as CommandType[];

export function isCommandType(value: string): value is CommandType {
  return Object.hasOwn(commandCatalogue, value);
}

/** One bad field of a command payload. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** A payload (or command type) that the catalogue rejects; permanent, never worth a retry. */
export class CommandValidationError extends Error {
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
  signer: SigningIdentity;
  /** See {@link CommandDefinition.conflictKeys}. */
  conflictKeys: string[];
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
    signer: definition.signer,
    conflictKeys: definition.conflictKeys(valid),
  };
}
