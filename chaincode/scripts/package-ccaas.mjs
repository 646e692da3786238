#!/usr/bin/env node
// Builds the chaincode-as-a-service package a Fabric peer's built-in `ccaas` builder installs:
//   <label>.tar.gz = metadata.json ({"type":"ccaas","label":...}) + code.tar.gz (connection.json [+ META-INF])
// connection.json tells the peer where to dial the chaincode server. Use a STABLE DNS name (a Kubernetes
// Service, a compose service name), never a pod or container IP: the address is frozen into the package id,
// and a changed IP would otherwise mean a new package and a new lifecycle round (see ../README.md).
//
// Usage: node scripts/package-ccaas.mjs [--address host:port] [--label gxtv3_0.1.0] [--out dir]
//          [--dial-timeout 10s] --tls-root-cert ca.pem [--client-cert c.pem --client-key k.pem]
//        or, for a local test network only: ... --insecure-plaintext
// TLS is required by default: the peer must verify the chaincode server it sends every proposal to, and the
// traffic (users, amounts) must not cross the network in the clear.
// Defaults come from CHAINCODE_ADDRESS, CHAINCODE_LABEL, CHAINCODE_PACKAGE_DIR. Prints the package path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'));

const { values } = parseArgs({
  options: {
    address: { type: 'string', default: process.env.CHAINCODE_ADDRESS ?? 'gxtv3-chaincode:9999' },
    label: { type: 'string', default: process.env.CHAINCODE_LABEL ?? `gxtv3_${version}` },
    out: { type: 'string', default: process.env.CHAINCODE_PACKAGE_DIR ?? join(here, '..', 'build') },
    'dial-timeout': { type: 'string', default: '10s' },
    'tls-root-cert': { type: 'string' },
    'client-cert': { type: 'string' },
    'client-key': { type: 'string' },
    'insecure-plaintext': { type: 'boolean', default: false },
  },
  strict: true,
});

function fail(message) {
  process.stderr.write(`package-ccaas: ${message}\n`);
  process.exit(2);
}

// The peer splits host and port itself; a scheme or path here only fails later, at dial time. Go-template
// fields such as `{{.peername}}-gxtv3:9999` are allowed: the ccaas builder fills them per peer from
// CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG.
const part = '(?:[A-Za-z0-9._-]|\\{\\{[^{}]+\\}\\})+';
if (!new RegExp(`^${part}:(?:[0-9]{1,5}|\\{\\{[^{}]+\\}\\})$`).test(values.address)) {
  fail(`--address must be host:port, got "${values.address}"`);
}
// Fabric's lifecycle accepts labels of letters, digits, '.', '+', '-', '_'.
if (!/^[A-Za-z0-9_.+-]+$/.test(values.label)) fail(`--label may only hold letters, digits and . + - _`);
if ((values['client-cert'] === undefined) !== (values['client-key'] === undefined)) {
  fail('--client-cert and --client-key go together');
}
if (values['client-cert'] !== undefined && values['tls-root-cert'] === undefined) {
  fail('client certificates need --tls-root-cert');
}

if (values['tls-root-cert'] === undefined && !values['insecure-plaintext']) {
  fail(
    'TLS is required: pass --tls-root-cert <CA of the chaincode server certificate> (see ../README.md), or ' +
      '--insecure-plaintext for a local test network',
  );
}
if (values['tls-root-cert'] !== undefined && values['insecure-plaintext']) {
  fail('--tls-root-cert and --insecure-plaintext contradict each other');
}

const connection = { address: values.address, dial_timeout: values['dial-timeout'], tls_required: false };
if (values['tls-root-cert'] !== undefined) {
  connection.tls_required = true;
  connection.root_cert = readFileSync(values['tls-root-cert'], 'utf8');
  if (values['client-cert'] !== undefined) {
    connection.client_auth_required = true;
    connection.client_cert = readFileSync(values['client-cert'], 'utf8');
    connection.client_key = readFileSync(values['client-key'], 'utf8');
  }
}

const work = mkdtempSync(join(tmpdir(), 'gxtv3-ccaas-'));
try {
  const code = join(work, 'code');
  mkdirSync(code);
  writeFileSync(join(code, 'connection.json'), `${JSON.stringify(connection, null, 2)}\n`);
  writeFileSync(join(work, 'metadata.json'), `${JSON.stringify({ type: 'ccaas', label: values.label }, null, 2)}\n`);
  // Fixed owner and mtime so the same inputs give the same bytes, hence the same package id.
  const tarOptions = ['--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--sort=name'];
  execFileSync('tar', ['-czf', join(work, 'code.tar.gz'), ...tarOptions, '-C', code, 'connection.json']);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const target = join(out, `${values.label}.tar.gz`);
  execFileSync('tar', ['-czf', target, ...tarOptions, '-C', work, 'metadata.json', 'code.tar.gz']);
  process.stdout.write(`${target}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
