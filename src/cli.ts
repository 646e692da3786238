#!/usr/bin/env node
/**
 * `gx <role>`: one entry point for every role of the backend, so one image serves every Deployment.
 */
import './chaincode-logging.js';
import { Command } from 'commander';
import { ConfigError, loadConfig, refuseEmbeddedDatabase } from './config.js';
import { migrate, migrationLabel, SchemaMismatchError } from './db/migrator.js';
import { openDatabase } from './db/pool.js';
import { addDevCommands, DriftFound } from './dev/command.js';
import { addDevnetCommand } from './dev/devnet-command.js';
import { addApiCommand } from './http/api-command.js';
import { createLogger } from './observability/logger.js';
import { addProjectorCommand } from './projector/command.js';
import { addSchedulerCommand } from './scheduler/command.js';

/** Exit codes a supervisor (Kubernetes, a shell script) can tell apart. */
export const ExitCode = { failure: 1, badConfiguration: 2, schemaMismatch: 3 } as const;

async function runMigrate(): Promise<void> {
  const config = loadConfig();
  refuseEmbeddedDatabase(config, 'migrate');
  const logger = createLogger({ level: config.logLevel, role: 'migrate' });
  const db = await openDatabase(config.database, { logger, applicationName: 'gx-migrate' });
  try {
    const applied = await migrate(db.pool);
    if (applied.length === 0) logger.info('schema already current; nothing to apply');
    for (const migration of applied) logger.info({ migration: migrationLabel(migration) }, 'applied migration');
    process.stdout.write(
      applied.length === 0
        ? 'Schema is current; no migrations applied.\n'
        : `Applied ${applied.length} migration(s): ${applied.map(migrationLabel).join(', ')}\n`,
    );
  } finally {
    await db.close();
  }
}

function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(ExitCode.badConfiguration);
  }
  if (error instanceof SchemaMismatchError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(ExitCode.schemaMismatch);
  }
  if (error instanceof DriftFound) {
    process.stderr.write(`${error.message}\n`);
    process.exit(ExitCode.failure);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(ExitCode.failure);
}

const program = new Command('gx')
  .description('GX Protocol backend: run one role of the system.')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('migrate')
  .description('Apply the missing database migrations (a no-op when the schema is current).')
  .action(() => runMigrate());

addApiCommand(program);
addProjectorCommand(program);
addSchedulerCommand(program);
addDevnetCommand(program);

program
  .command('submitter')
  .description('Submit outbox commands to the ledger: exactly once, many in flight (GX_SUBMITTER_*).')
  .action(async () => (await import('./submitter/run-submitter.js')).runSubmitter());

addDevCommands(program);

program.parseAsync(process.argv).catch(fail);
