/** The `gx projector` command and its `rebuild` subcommand. */
import type { Command } from 'commander';

/** The projector's code, loaded when its command runs: every role starts from the same CLI. */
const projectorRole = () => import('./run.js');

/** Registers `gx projector [run]` and `gx projector rebuild` on the CLI. */
export function addProjectorCommand(program: Command): void {
  const projector = program
    .command('projector')
    .description('Project committed chaincode events into read models (one active replica, the others stand by).');
  projector
    .command('run', { isDefault: true })
    .description('Stand by for the projection lock, then project; serves /metrics, /livez, /readyz on GX_METRICS_PORT.')
    .action(async () => (await projectorRole()).runProjector());
  projector
    .command('rebuild')
    .description('Replay the ledger from block 0 into fresh read models and switch over in one transaction.')
    .action(async () => (await projectorRole()).runProjectorRebuild());
}
