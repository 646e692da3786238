/** The `gx scheduler` command. */
import type { Command } from 'commander';

/** Registers `gx scheduler` on the CLI; its code is loaded when the command runs. */
export function addSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description(
      'Enqueue time-driven commands (expiry of payment requests); one active replica, the others stand by. ' +
        'Serves /metrics, /livez, /readyz on GX_METRICS_PORT.',
    )
    .action(async () => (await import('./run.js')).runScheduler());
}
