/**
 * The CCaaS packaging script (chaincode/scripts/package-ccaas.mjs), run as a process with the system tar, and
 * its tarball taken apart again with tar: the layout a peer's `ccaas` builder expects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(__dirname, '..', 'scripts', 'package-ccaas.mjs');
const work = mkdtempSync(join(tmpdir(), 'gxtv3-package-spec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Packages with `args`; plaintext unless the arguments bring TLS (these tests are about the layout). */
function packageWith(...args: string[]): string {
  const tls = args.includes('--tls-root-cert') ? [] : ['--insecure-plaintext'];
  return execFileSync(process.execPath, [script, '--out', work, ...tls, ...args], { encoding: 'utf8' }).trim();
}
const list = (tarball: string) => execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
const extract = (tarball: string, into: string, file: string) =>
  execFileSync('tar', ['-xzOf', tarball, '-C', into, file], { encoding: 'utf8' });

describe('package-ccaas', () => {
  it('requires TLS unless plaintext is asked for by name', () => {
    const run = spawnSync(process.execPath, [script, '--out', work, '--label', 'gxtv3_notls'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/TLS is required: pass --tls-root-cert/);
  });

  it('builds <label>.tar.gz holding metadata.json (type ccaas) and code.tar.gz with connection.json', () => {
    const tarball = packageWith('--address', 'gxtv3-chaincode.gx.svc.cluster.local:9999', '--label', 'gxtv3_1.2.3');
    expect(tarball).toBe(join(work, 'gxtv3_1.2.3.tar.gz'));
    expect(list(tarball).sort()).toEqual(['code.tar.gz', 'metadata.json']);
    expect(JSON.parse(extract(tarball, work, 'metadata.json'))).toEqual({ type: 'ccaas', label: 'gxtv3_1.2.3' });

    const code = join(work, 'code.tar.gz');
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'code.tar.gz']);
    expect(list(code)).toEqual(['connection.json']);
    expect(JSON.parse(extract(code, work, 'connection.json'))).toEqual({
      address: 'gxtv3-chaincode.gx.svc.cluster.local:9999',
      dial_timeout: '10s',
      tls_required: false,
    });
  });

  it('embeds TLS material when asked', () => {
    const ca = join(work, 'ca.pem');
    const cert = join(work, 'client.pem');
    const key = join(work, 'client.key');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n');
    const tarball = packageWith(
      '--address',
      'cc:7052',
      '--label',
      'gxtv3_tls',
      '--tls-root-cert',
      ca,
      '--client-cert',
      cert,
      '--client-key',
      key,
    );
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'code.tar.gz']);
    expect(JSON.parse(extract(join(work, 'code.tar.gz'), work, 'connection.json'))).toEqual({
      address: 'cc:7052',
      dial_timeout: '10s',
      tls_required: true,
      root_cert: readFileSync(ca, 'utf8'),
      client_auth_required: true,
      client_cert: readFileSync(cert, 'utf8'),
      client_key: readFileSync(key, 'utf8'),
    });
  });

  it('gives identical bytes for identical inputs (so the package id is stable) and new bytes for a new address', () => {
    const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const first = hash(packageWith('--address', 'gxtv3:9999', '--label', 'gxtv3_same'));
    const again = hash(packageWith('--address', 'gxtv3:9999', '--label', 'gxtv3_same'));
    const moved = hash(packageWith('--address', 'gxtv3-new:9999', '--label', 'gxtv3_same'));
    expect(again).toBe(first);
    expect(moved).not.toBe(first);
  });

  it('keeps a Go-template address for the ccaas builder to fill per peer', () => {
    const tarball = packageWith('--address', '{{.peername}}-gxtv3:9999', '--label', 'gxtv3_templated');
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'code.tar.gz']);
    expect(JSON.parse(extract(join(work, 'code.tar.gz'), work, 'connection.json')).address).toBe(
      '{{.peername}}-gxtv3:9999',
    );
  });

  it('refuses an address that is not host:port and a label Fabric would refuse', () => {
    for (const args of [
      ['--address', 'grpc://gxtv3:9999'],
      ['--address', 'gxtv3'],
      ['--label', 'gx tv3'],
    ]) {
      const run = spawnSync(process.execPath, [script, '--out', work, ...args], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^package-ccaas: /);
    }
  });
});
