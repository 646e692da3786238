/**
 * A devnet in a process of its own, for the submitter bench: the submitter's CPU can then be measured
 * apart from the network's, and the two use both cores as a separate peer would.
 *
 * `node dist/bench/submitter-devnet-process.js '<DevnetOptions as JSON>'` prints one line — the GX_FABRIC_*
 * environment as JSON — once serving, and exits when its stdin closes.
 */
import { startDevnet } from '../src/devnet/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const devnet = await startDevnet({ port: 0, ...options });
process.stdout.write(`${JSON.stringify(devnet.env())}\n`);
const stop = () => {
  devnet.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.once('SIGTERM', stop);
