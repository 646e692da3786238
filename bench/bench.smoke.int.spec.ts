/**
 * `npm run bench -- --quick` as CI runs it: every scenario must produce a number. The values themselves are
 * not judged here (timings are never asserted); they are read off the printed table.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, inject, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

it('produces a number for every scenario', { timeout: 600_000 }, async () => {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, 'dist/bench/run.js'), '--quick'],
      { cwd: root, env: { ...process.env, DATABASE_URL: inject('serverUrl') }, timeout: 590_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  expect(output).toContain('All scenarios:');
  const document = JSON.parse(await readFile(path.join(root, 'bench/results.json'), 'utf8')) as {
    results: Array<{ scenario: string; metric: string; value: number }>;
  };
  const scenarios = new Set(document.results.map((result) => result.scenario.split(/[ (,:]/)[0]));
  for (const family of [
    'protocol',
    'devnet',
    'submitter',
    'projector',
    'time-to-queryable',
    'http',
    'memory',
    'fee-transfers',
    'registrations',
  ]) {
    expect(scenarios, `scenario family ${family}`).toContain(family);
  }
  for (const result of document.results) {
    expect(Number.isFinite(result.value), `${result.scenario} / ${result.metric}`).toBe(true);
  }
});
