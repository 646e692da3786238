#!/usr/bin/env node
/**
 * `gx <role>`: one entry point for every role of the backend, so one image serves every Deployment.
 */
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { migrate, migrationLabel, SchemaMismatchError } from './db/migrator.js';
import { openDatabase } from './db/pool.js';
import { addDevnetCommand } from './devnet/command.js';
import { addApiCommand } from './http/api-command.js';
import { createLogger } from './observability/logger.js';
import { addProjectorCommand } from './projector/command.js';
import { startRole } from './runtime.js';
import { runSubmitter } from './submitter/run-submitter.js';

/** Exit codes a supervisor (Kubernetes, a shell script) can tell apart. */
export const ExitCode = { failure: 1, badConfiguration: 2, schemaMismatch: 3 } as const;

class NotBuiltError extends Error {}

async function runMigrate(): Promise<void> {
  const config = loadConfig();
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

/** Roles that later work builds: they check the schema like real roles, then say they are not built yet. */
async function runPendingRole(role: string): Promise<void> {
  const context = await startRole(role, loadConfig());
  await context.db.close();
  throw new NotBuiltError(`The \`${role}\` role is not built yet.`);
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
  if (error instanceof NotBuiltError) {
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
addDevnetCommand(program);

program
  .command('submitter')
  .description('Submit outbox commands to the ledger: exactly once, many in flight (GX_SUBMITTER_*).')
  .action(() => runSubmitter());

const roles: Array<[string, string]> = [
  ['dev', 'Run the whole system in one process on the embedded database.'],
];
for (const [role, description] of roles) {
  program
    .command(role)
    .description(description)
    .action(() => runPendingRole(role));
}

program.parseAsync(process.argv).catch(fail);
