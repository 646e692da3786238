/**
 * `gx devnet`: runs a devnet until SIGINT/SIGTERM, writes `<dataDir>/devnet/connection.env` (the GX_FABRIC_*
 * settings, with file paths to the PEM files) and prints the endpoint.
 *
 * devnet keeps its own store in the data folder and does not use PostgreSQL, so unlike the other roles it
 * neither opens the database nor checks its schema.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { untilSignal } from '../runtime.js';

interface DevnetCommandOptions {
  dataDir?: string;
  host: string;
  port: number;
  tls: boolean;
  channel: string;
  mspId: string;
  orgs: number;
  endorsementPolicy?: string;
  chaincode: Array<{ name: string; module: string }>;
  blockSize: number;
  blockTimeoutMs: number;
  commitLatencyMs: number;
  sync: boolean;
  adminPort?: number;
}

function integer(minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum)
      throw new InvalidArgumentError(`must be an integer ≥ ${minimum}`);
    return parsed;
  };
}

function chaincodeOption(value: string, previous: Array<{ name: string; module: string }> = []) {
  const separator = value.indexOf('=');
  if (separator <= 0 || separator === value.length - 1) {
    throw new InvalidArgumentError('expected <name>=<module path>, e.g. basic=./chaincode/dist');
  }
  return [...previous, { name: value.slice(0, separator), module: value.slice(separator + 1) }];
}

/** Adds the `devnet` command to the CLI. */
export function addDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description('Run the Fabric-Gateway-compatible development network (prints its endpoint).')
    .option('--data-dir <dir>', 'data folder (default: GX_DATA_DIR); devnet uses <dir>/devnet')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .addOption(new Option('--port <port>', 'gRPC port (0: any free port)').default(7051).argParser(integer(0)))
    .option('--no-tls', 'serve without TLS')
    .option('--channel <name>', 'channel name', 'gxchannel')
    .option('--msp-id <id>', 'MSP id of the peer and its identities', 'GxMSP')
    .addOption(
      new Option(
        '--orgs <n>',
        'peer organizations, each with its CA, MSP, endorsing peer and port (<msp-id>, Org2MSP on port+1, …)',
      )
        .default(1)
        .argParser(integer(1)),
    )
    .option(
      '--endorsement-policy <policy>',
      "MAJORITY (default), ANY, ALL, or e.g. \"AND('GxMSP.peer','Org2MSP.peer')\", OR(…), OutOf(n, …)",
    )
    .addOption(
      new Option(
        '--chaincode <name=module>',
        'serve the module exporting `contracts` under <name> (repeatable; default gxtv3=@gx/chaincode)',
      )
        .argParser(chaincodeOption)
        .default([]),
    )
    .addOption(new Option('--block-size <n>', 'most transactions per block').default(500).argParser(integer(1)))
    .addOption(new Option('--block-timeout-ms <ms>', 'longest a block waits to fill').default(20).argParser(integer(0)))
    .addOption(
      new Option('--commit-latency-ms <ms>', 'hold every transaction this long before commit')
        .default(0)
        .argParser(integer(0)),
    )
    .option('--no-sync', 'do not fsync each block (faster; a kill -9 still loses nothing, power loss may)')
    .addOption(
      new Option(
        '--admin-port <port>',
        'serve the HTTP admin interface (status, metrics, faults) on this port',
      ).argParser(integer(0)),
    )
    .action((options: DevnetCommandOptions) => runDevnet(options));
}

async function runDevnet(options: DevnetCommandOptions): Promise<void> {
  // devnet's code, loaded when it runs: the other roles start from the same CLI.
  const [{ startDevnetAdminServer }, { writeConnectionEnv }, { startDevnet }] = await Promise.all([
    import('../devnet/admin-server.js'),
    import('../devnet/connection-env.js'),
    import('../devnet/network.js'),
  ]);
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, role: 'devnet' });
  const dataDir = path.resolve(options.dataDir ?? config.dataDir);
  const devnet = await startDevnet({
    dataDir,
    host: options.host,
    port: options.port,
    tls: options.tls,
    channel: options.channel,
    mspId: options.mspId,
    orgs: options.orgs,
    ...(options.endorsementPolicy === undefined ? {} : { endorsementPolicy: options.endorsementPolicy }),
    ...(options.chaincode.length > 0 ? { chaincodes: options.chaincode } : {}),
    blockSize: options.blockSize,
    blockTimeoutMs: options.blockTimeoutMs,
    commitLatencyMs: options.commitLatencyMs,
    syncWrites: options.sync,
    logger,
  });
  const envFile = await writeConnectionEnv(devnet, dataDir);
  const admin =
    options.adminPort === undefined ? undefined : await startDevnetAdminServer(devnet, options.host, options.adminPort);
  const others = devnet.organizations.slice(1);
  process.stdout.write(
    `devnet listening on ${devnet.connection.peerEndpoint} (channel ${devnet.connection.channel}, MSP ${devnet.connection.mspId}, TLS ${options.tls ? 'on' : 'off'})\n` +
      others.map((org) => `  ${org.mspId} peer on ${org.connection.peerEndpoint}\n`).join('') +
      (admin ? `admin interface: http://${options.host}:${admin.port}\n` : '') +
      `connection settings: ${envFile}\n`,
  );
  await untilSignal(logger, async () => {
    await admin?.close();
    await devnet.close();
  });
}
