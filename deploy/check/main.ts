/**
 * Entry point of `npm run deploy:check [-- --root <dir>]`. Exits 0 when every section passes, 1 otherwise.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatReport } from './report.js';
import { runDeployCheck } from './run.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootFlag = process.argv.indexOf('--root');
const root = rootFlag >= 0 ? path.resolve(process.argv[rootFlag + 1] ?? '.') : repositoryRoot;

const sections = await runDeployCheck({ root, codeRoot: repositoryRoot });
process.stdout.write(formatReport(sections));
process.exitCode = sections.every((result) => result.errors.length === 0) ? 0 : 1;
