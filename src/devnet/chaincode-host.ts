/**
 * Hosts fabric-contract-api chaincode in-process: loads a module exporting `contracts` (as a CCaaS or packaged
 * chaincode's entry module does) and dispatches through fabric-shim's own contract dispatcher, so routing
 * (`Contract:function`, default contract), argument conversion, `GetMetadata`, the unknown-function message and
 * the before/after/unknownTransaction hooks behave exactly as on a peer. Plain JavaScript contracts without
 * decorators are introspected by that dispatcher too (functions by name, string arguments).
 *
 * Modules are loaded with Node's own `require` (falling back to `import()` for ES modules), so one copy of
 * fabric-contract-api and its decorator metadata is shared with the dispatcher.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimulationStub, type StubContext } from './chaincode-stub.js';
import type { NamespaceReadWriteSet } from './read-write-set.js';
import type { WorldState } from './world-state.js';

const require = createRequire(import.meta.url);

// fabric-contract-api logs every decorator at `info` to stdout unless told otherwise; devnet has its own log.
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'warning';

let certificateParsingCached = false;

/**
 * fabric-shim builds a `ClientIdentity` for every transaction and parses the creator's PEM certificate each
 * time (~6% of devnet's CPU under load, measured). Every request of a client carries the same certificate, so
 * the parse is memoised on the copy of `@fidm/x509` fabric-shim itself uses. Certificates are immutable values.
 */
function cacheCertificateParsing(): void {
  if (certificateParsingCached) return;
  certificateParsingCached = true;
  const shimRequire = createRequire(require.resolve('fabric-shim/lib/chaincode.js'));
  const { Certificate } = shimRequire('@fidm/x509') as { Certificate: { fromPEM(pem: Buffer | string): unknown } };
  const parse = Certificate.fromPEM.bind(Certificate);
  const parsed = new Map<string, unknown>();
  Certificate.fromPEM = (pem) => {
    const key = pem.toString();
    let certificate = parsed.get(key);
    if (certificate === undefined) {
      certificate = parse(pem);
      if (parsed.size >= 1_000) parsed.clear();
      parsed.set(key, certificate);
    }
    return certificate;
  };
}

type ParameterValidator = (data: { prop: unknown }) => boolean;

interface ParameterMarshall {
  components: unknown;
  ajv: { compile(schema: unknown): ParameterValidator };
  fromWireBuffer(supplied: unknown, schema: unknown, loggerPrefix: string): { value: unknown; validateData: unknown };
  handleParameters(fn: TransactionDescriptor, parameters: unknown[], loggerPrefix: string): unknown[];
}

interface TransactionDescriptor {
  parameters?: Array<{ schema?: { type?: unknown; $ref?: unknown } }>;
}

/**
 * fabric-shim's parameter handling (DataMarshall.handleParameters) costs far more than the conversion it does:
 * - it asks ajv to compile each parameter's JSON schema on every call, and ajv finds its cached validator by a
 *   stable serialization of the whole schema, which embeds every component schema of the contract (~3% of
 *   devnet's busy time with the kv chaincode, measured; more with gxtv3's larger schemas);
 * - it builds the text of four `debug` lines per parameter whether or not debug is on, among them
 *   `util.inspect` of the argument and `JSON.stringify` of the schema with all its components (~2% with gxtv3).
 *
 * The validator is memoised on the parameter's schema object (the contract's own fixed object; ajv would
 * return that very validator anyway), and parameters that convert and validate are handled without the log
 * texts. Anything else (no parameter metadata, a count mismatch, a schema without type, a conversion that
 * throws, a value that fails validation) goes to fabric-shim's own method, so errors and their messages are
 * exactly fabric-shim's.
 */
function streamlineParameterHandling(dispatcher: unknown): void {
  const implementations = (dispatcher as { contractImplementations?: Record<string, { dataMarshall?: unknown }> })
    .contractImplementations;
  for (const implementation of Object.values(implementations ?? {})) {
    const marshall = implementation.dataMarshall as ParameterMarshall | undefined;
    if (!marshall?.ajv || typeof marshall.handleParameters !== 'function') continue;
    const compile = marshall.ajv.compile.bind(marshall.ajv);
    const validators = new WeakMap<object, ParameterValidator>();
    const validatorFor = (schema: { properties: { prop: object }; components: { schemas: unknown } }) => {
      let validator = validators.get(schema.properties.prop);
      if (validator === undefined) {
        validator = compile(schema);
        validators.set(schema.properties.prop, validator);
      }
      return validator;
    };
    marshall.ajv.compile = (schema) => {
      const wrapper = schema as { properties?: { prop?: unknown }; components?: { schemas?: unknown } };
      const parameter = wrapper.properties?.prop;
      if (typeof parameter !== 'object' || parameter === null || wrapper.components?.schemas !== marshall.components) {
        return compile(schema);
      }
      return validatorFor(schema as { properties: { prop: object }; components: { schemas: unknown } });
    };
    const handleParameters = marshall.handleParameters.bind(marshall);
    marshall.handleParameters = (fn, parameters, loggerPrefix) => {
      const expected = fn.parameters;
      if (!expected || expected.length !== parameters.length) return handleParameters(fn, parameters, loggerPrefix);
      const values: unknown[] = [];
      try {
        for (let i = 0; i < expected.length; i++) {
          const parameterSchema = expected[i]?.schema;
          if (!parameterSchema || (!parameterSchema.type && !parameterSchema.$ref)) {
            return handleParameters(fn, parameters, loggerPrefix);
          }
          const schema = { properties: { prop: parameterSchema }, components: { schemas: marshall.components } };
          const validator = validatorFor(schema);
          const { value, validateData } = marshall.fromWireBuffer(parameters[i], schema, loggerPrefix);
          if (!validator({ prop: validateData })) return handleParameters(fn, parameters, loggerPrefix);
          values.push(value);
        }
      } catch {
        return handleParameters(fn, parameters, loggerPrefix);
      }
      return values;
    };
  }
}

interface WinstonLike {
  isLevelEnabled(level: string): boolean;
  [level: string]: unknown;
}

/**
 * fabric-shim's and fabric-contract-api's winston loggers format every `debug` call (timestamp, metadata)
 * before the transport drops it: ~4% of devnet's CPU under load, measured. Disabled levels become no-ops on
 * the loggers the per-transaction path uses.
 */
function quietFabricLoggers(): void {
  const loggers: Array<[string, string[]]> = [
    [
      'fabric-shim/lib/logger.js',
      ['lib/chaincode.js', 'contracts-spi/chaincodefromcontract.js', 'contracts-spi/datamarshall.js'],
    ],
    ['fabric-contract-api/lib/logger.js', ['./lib/contract.js', './lib/jsontransactionserializer.js']],
  ];
  for (const [module, names] of loggers) {
    const { getLogger } = require(module) as { getLogger(name: string): WinstonLike };
    for (const name of names) {
      const logger = getLogger(name);
      for (const level of ['debug', 'info']) {
        if (!logger.isLevelEnabled(level)) logger[level] = () => logger;
      }
    }
  }
}

interface ContractInstance {
  createContext(): {
    setChaincodeStub(stub: unknown): void;
    setClientIdentity(identity: unknown): void;
    logging?: unknown;
  };
  beforeTransaction(ctx: unknown): Promise<void>;
  aroundTransaction(ctx: unknown, fn: string, parameters: unknown[]): Promise<unknown>;
  afterTransaction(ctx: unknown, result: unknown): Promise<void>;
}

interface DispatcherInternals {
  contractImplementations: Record<
    string,
    { contractInstance: ContractInstance; dataMarshall: ParameterMarshall & WireMarshall } | undefined
  >;
  metadata: {
    contracts: Record<string, { transactions: Array<TransactionDescriptor & { name: string }> } | undefined>;
  };
  _splitFunctionName(fcn: string): { contractName: string; function: string };
}

interface WireMarshall {
  toWireBuffer(result: unknown, schema: unknown, loggerPrefix: string): Uint8Array | undefined;
}

interface ClientIdentityFields {
  mspId: string;
  idBytes: Uint8Array;
  id: string;
  attrs: Record<string, string>;
}

/**
 * fabric-shim's `invokeFunctionality` as a faster path for the usual call (a known contract and function):
 * - without its per-call `debug` texts, built whether or not debug is on (`JSON.stringify` of the function's
 *   metadata and of its result);
 * - with the `ClientIdentity` of a creator it has seen before made from what fabric-shim computed the first
 *   time (MSP id, id, attributes: parsing and formatting the certificate cost ~1% of devnet per transaction).
 *   It is a fresh `ClientIdentity` object per transaction, with its own stub and a copy of the attributes.
 *
 * The steps, their order, the context and the answers (`shim.success` / `shim.error` with the error's message,
 * logged at error level as fabric-shim does) are fabric-shim 2.5's; no arguments, an unknown contract or an
 * unknown function go to fabric-shim's own `Invoke`.
 */
/**
 * The fabric-shim versions whose internals the streamlined paths below were written against and checked on.
 * Any other version runs through fabric-shim's own dispatcher, unchanged, until they are checked again.
 */
const STREAMLINED_SHIM = /^2\.5\./;

function fabricShimVersion(): string {
  return (require('fabric-shim/package.json') as { version: string }).version;
}

function streamlineInvocation(dispatcher: Dispatcher): Dispatcher['Invoke'] {
  const internals = dispatcher as unknown as DispatcherInternals;
  if (
    typeof internals._splitFunctionName !== 'function' ||
    typeof internals.contractImplementations !== 'object' ||
    typeof internals.metadata?.contracts !== 'object'
  ) {
    return (stub) => dispatcher.Invoke(stub);
  }
  const shim = require('fabric-shim/lib/chaincode.js') as {
    ClientIdentity: new (stub: unknown) => ClientIdentityFields;
    success(payload?: Uint8Array): { status: number; message?: string; payload?: Uint8Array };
    error(message: string): { status: number; message?: string; payload?: Uint8Array };
  };
  const Logger = require('fabric-shim/lib/logger.js') as {
    getLogger(name: string): { error(message: string): void };
    setLevel: unknown;
  };
  const logger = Logger.getLogger('contracts-spi/chaincodefromcontract.js');
  const identities = new Map<string, ClientIdentityFields>();
  const clientIdentity = (stub: SimulationStub): ClientIdentityFields => {
    const creator = stub.getCreator();
    const key = `${creator.mspid}\n${Buffer.from(creator.idBytes).toString('latin1')}`;
    const known = identities.get(key);
    if (known === undefined) {
      const identity = new shim.ClientIdentity(stub);
      if (identities.size >= 1_000) identities.clear();
      identities.set(key, identity);
      return identity;
    }
    const identity = Object.create(shim.ClientIdentity.prototype) as ClientIdentityFields & { stub: unknown };
    identity.stub = stub;
    identity.mspId = creator.mspid;
    identity.idBytes = creator.idBytes;
    identity.id = known.id;
    identity.attrs = { ...known.attrs };
    return identity;
  };
  return async (stub) => {
    const args = stub.getBufferArgs();
    if (args.length < 1) return dispatcher.Invoke(stub);
    const { contractName, function: fn } = internals._splitFunctionName((args[0] as Buffer).toString());
    const implementation = internals.contractImplementations[contractName];
    const descriptor = internals.metadata.contracts[contractName]?.transactions.find((t) => t.name === fn);
    if (!implementation || !descriptor) return dispatcher.Invoke(stub);
    const loggerPrefix = `[${stub.getChannelID()}-${stub.getTxID().substring(0, 8)}]`;
    try {
      const { contractInstance, dataMarshall } = implementation;
      const ctx = contractInstance.createContext();
      ctx.setChaincodeStub(stub);
      ctx.setClientIdentity(clientIdentity(stub));
      ctx.logging = {
        setLevel: Logger.setLevel,
        getLogger: (name?: string) => Logger.getLogger(name ? `${contractName}:${name}` : contractName),
      };
      const parameters = dataMarshall.handleParameters(descriptor, args.slice(1), loggerPrefix);
      await contractInstance.beforeTransaction(ctx);
      const result = await contractInstance.aroundTransaction(ctx, fn, parameters);
      await contractInstance.afterTransaction(ctx, result);
      const returns = (descriptor as { returns?: { schema?: unknown } }).returns;
      return shim.success(dataMarshall.toWireBuffer(result, returns?.schema, loggerPrefix));
    } catch (error) {
      logger.error(`${loggerPrefix} ${error}`);
      return shim.error((error as Error).message);
    }
  };
}

/** A chaincode's answer, as the peer puts it in a proposal response. */
export interface ChaincodeResponse {
  status: number;
  message: string;
  payload: Uint8Array;
}

/** The outcome of simulating one transaction. */
export interface Simulation {
  response: ChaincodeResponse;
  readWriteSet: NamespaceReadWriteSet;
  event: { name: string; payload: Uint8Array } | undefined;
}

interface Dispatcher {
  Invoke(stub: SimulationStub): Promise<{ status: number; message?: string; payload?: Uint8Array }>;
}

type DispatcherClass = new (
  contracts: unknown[],
  serializers: unknown,
  metadata: unknown,
  title: string,
  version: string,
) => Dispatcher;

/** One chaincode served under a name. */
export class HostedChaincode {
  readonly name: string;
  readonly #invoke: Dispatcher['Invoke'];

  private constructor(name: string, invoke: Dispatcher['Invoke']) {
    this.name = name;
    this.#invoke = invoke;
  }

  /** Loads `module` (a path, or a package name resolved from the working directory) and builds its dispatcher. */
  static async load(name: string, module: string): Promise<HostedChaincode> {
    const exported = await loadModule(module);
    const contracts = exported.contracts;
    if (!Array.isArray(contracts) || contracts.length === 0) {
      throw new Error(
        `chaincode module '${module}' exports no contracts (expected \`contracts\`: an array of classes)`,
      );
    }
    cacheCertificateParsing();
    const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as DispatcherClass;
    quietFabricLoggers();
    const { JSONSerializer } = require('fabric-contract-api') as { JSONSerializer: unknown };
    const serializers =
      exported.serializers && typeof exported.serializers === 'object'
        ? {
            ...(exported.serializers as { transaction: string; serializers?: Record<string, unknown> }),
            serializers: {
              jsonSerializer: JSONSerializer,
              ...(exported.serializers as { serializers?: Record<string, unknown> }).serializers,
            },
          }
        : { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
    // The dispatcher appends its system contract to the array it is given: give it a copy.
    const dispatcher = new ChaincodeFromContract([...contracts], serializers, {}, name, '');
    if (!STREAMLINED_SHIM.test(fabricShimVersion()))
      return new HostedChaincode(name, (stub) => dispatcher.Invoke(stub));
    streamlineParameterHandling(dispatcher);
    return new HostedChaincode(name, streamlineInvocation(dispatcher));
  }

  /** Runs the transaction the stub context describes over `state`. Never throws for chaincode failures. */
  async simulate(context: StubContext, state: WorldState): Promise<Simulation> {
    const stub = new SimulationStub(context, state);
    let response: ChaincodeResponse;
    try {
      const answer = await this.#invoke(stub);
      response = {
        status: answer.status,
        message: answer.message ?? '',
        payload: answer.payload ?? new Uint8Array(),
      };
    } catch (error) {
      response = {
        status: 500,
        message: error instanceof Error ? error.message : String(error),
        payload: new Uint8Array(),
      };
    }
    return { response, readWriteSet: stub.readWriteSet(), event: stub.event() };
  }
}

async function loadModule(module: string): Promise<Record<string, unknown>> {
  if (process.env.VITEST && module === '@gx/chaincode') {
    // Under Vitest the project's own chaincode is imported through the test runner, which maps it to its
    // TypeScript sources (vitest.config.ts alias, SWC with decorator metadata): tests never run a stale build.
    const imported = (await import(module)) as Record<string, unknown> & { default?: Record<string, unknown> };
    return Array.isArray(imported.contracts) ? imported : (imported.default ?? imported);
  }
  const resolved = resolveModule(module);
  try {
    return require(resolved) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
}

function resolveModule(module: string): string {
  // `chaincode/dist` is meant as a folder when one exists there, as `node <path>` would take it.
  const looksLikePath = module.startsWith('.') || path.isAbsolute(module) || existsSync(path.resolve(module));
  const candidate = looksLikePath ? path.resolve(module) : module;
  try {
    return require.resolve(candidate, { paths: [process.cwd()] });
  } catch {
    return require.resolve(candidate);
  }
}
