/** `gx dev`, `gx demo` and `gx verify`: the one-machine system, its story, and its consistency check. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { fabricIdentitySettings, loadConfig, requireSettings } from '../config.js';
import { startRole } from '../runtime.js';
import { loadOrCreateDevSecrets } from './dev-secrets.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError('must be a port');
  return parsed;
}

/** Raised by `gx verify` when read models and ledger disagree (exit code 1 after the report). */
export class DriftFound extends Error {}

export function addDevCommands(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the whole system in one process (devnet, submitter, projector, API) on the embedded database ' +
        '(or DATABASE_URL); with GX_FABRIC_PEER_ENDPOINT set, on that Fabric network instead of a devnet.',
    )
    .addOption(
      new Option('--devnet-port <port>', 'gRPC port of the embedded devnet (unused with GX_FABRIC_PEER_ENDPOINT)')
        .default(7051)
        .argParser(port),
    )
    .addOption(
      new Option(
        '--commit-latency-ms <ms>',
        "hold every devnet transaction this long before commit, like a real network (devnet's setting)",
      )
        .default(0)
        .argParser(port),
    )
    .action(async (options: { devnetPort: number; commitLatencyMs: number }) =>
      // Loaded when the command runs, as every role's code: the roles start from the same CLI.
      (await import('./run-dev.js')).runDev(options),
    );

  program
    .command('demo')
    .description('Walk the whole story against a running system, through the public HTTP API only.')
    .option('--url <url>', 'API base URL (default: http://127.0.0.1:GX_HTTP_PORT)')
    .action(async (options: { url?: string }) => {
      const config = loadConfig();
      const secrets = await loadOrCreateDevSecrets(config.dataDir);
      const { runDemoStory } = await import('./demo-story.js');
      const result = await runDemoStory({
        baseUrl: options.url ?? `http://127.0.0.1:${config.http.port}`,
        adminEmail: config.auth.adminEmail ?? secrets.adminEmail,
        adminPassword: config.auth.adminPassword ?? secrets.adminPassword,
        approver: { email: secrets.approverEmail, password: secrets.approverPassword },
        log: (line) => process.stdout.write(`${line}\n`),
      });
      const refused = [result.overdraft, result.tokenomics?.frozenRefusal, result.tokenomics?.pausedRefusal];
      process.stdout.write(
        refused.every((outcome) => outcome?.outcome === 'failed') &&
          result.tokenomics?.afterResume.outcome === 'projected'
          ? 'Demo complete: every step behaved as expected.\n'
          : 'Demo finished, but a refusal or the resume did not behave as expected.\n',
      );
    });

  program
    .command('verify')
    .description(
      'Compare the read models with the ledger (users, wallets, balances, freezes, supply, pools, countries, fees) ' +
        'and check the supply invariant on the ledger; exit 1 on drift or violation.',
    )
    .action(async () => {
      const config = loadConfig();
      requireSettings({
        GX_FABRIC_PEER_ENDPOINT: config.fabric.peerEndpoint,
        GX_FABRIC_MSP_ID: config.fabric.mspId,
        ...fabricIdentitySettings(config.fabric, ['reader']),
      });
      const [{ createLedgerClient }, { formatVerifyReport, verifyReadModels }] = await Promise.all([
        import('../ledger/index.js'),
        import('../verify/verify-read-models.js'),
      ]);
      const { logger, db } = await startRole('verify', config);
      const ledger = await createLedgerClient(config.fabric, { logger, name: 'verify', access: 'read' });
      try {
        const report = await verifyReadModels(db.pool, ledger);
        process.stdout.write(formatVerifyReport(report));
        const problems = report.drift.length + report.violations.length;
        if (problems > 0) {
          throw new DriftFound(`${report.drift.length} drift(s), ${report.violations.length} violation(s) found`);
        }
      } finally {
        await ledger.close();
        await db.close();
      }
    });
}
