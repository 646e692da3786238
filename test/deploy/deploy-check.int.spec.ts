/**
 * `npm run deploy:check` against the real manifests and against copies broken the ways the old deployment
 * broke: a Service aimed at a port its container does not declare, and an environment patched by hand.
 * The program runs as CI runs it (tsx, kubectl kustomize as child processes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkspace, runDeployCheckCli, type Workspace } from './workspace.js';

/** The section lines ("ok   ..." / "FAIL ...") of the check's output. */
function sectionStatus(output: string): Map<string, string> {
  const status = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^(ok {2}|FAIL) (.+)$/.exec(line);
    if (match?.[1] && match[2]) status.set(match[2].split(':')[0] ?? match[2], match[1].trim());
  }
  return status;
}

describe('deploy:check', () => {
  let workspace: Workspace | undefined;
  afterEach(() => {
    workspace?.remove();
    workspace = undefined;
  });

  it('passes the repository: image, every overlay, drift, alert rules and dashboard; prints how environments differ', async () => {
    const { output } = await runDeployCheckCli();
    const status = sectionStatus(output);
    for (const name of [
      'Dockerfile',
      'overlay devnet',
      'overlay testnet',
      'overlay mainnet',
      'per-environment differences (devnet, mainnet, testnet)',
      'PostgreSQL',
      'alert rules',
      'Grafana dashboard',
    ]) {
      expect(status.get(name), `${name}\n${output}`).toBe('ok');
    }
    expect(output).toMatch(
      /ConfigMap\/gx-config:data\.GX_FABRIC_CHANNEL {2}devnet=gxchannel {2}mainnet=gx-mainnet {2}testnet=gx-testnet/,
    );
    expect(output).toMatch(/Deployment\/gx-submitter:spec\.replicas {2}devnet=1 {2}mainnet=3 {2}testnet=2/);
  });

  it('fails when a Service sends traffic to a port the container does not declare', async () => {
    workspace = createWorkspace();
    // The API now listens on 3001 under another name; the Service still targets `http`.
    workspace.edit(
      'deploy/k8s/base/api.yaml',
      /- name: http\n(\s+)containerPort: 3000/,
      '- name: web\n$1containerPort: 3000',
    );
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toMatch(/FAIL overlay devnet/);
    expect(output).toContain(
      'Service/gx-api port http sends to targetPort http, but no container of Deployment/gx-api declares it (its ports: web=3000)',
    );
  });

  it('fails when a signing key is mounted into the API (only the submitter signs)', async () => {
    workspace = createWorkspace();
    // Someone gives the API the transfer identity instead of the read-only one.
    workspace.edit(
      'deploy/k8s/base/api.yaml',
      /secretName: gx-fabric-identity-reader/,
      'secretName: gx-fabric-identity-transfer',
    );
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toMatch(/FAIL overlay devnet/);
    expect(output).toContain(
      'Deployment/gx-api container api (gx api, which never signs): mounts Secret gx-fabric-identity-transfer (volume fabric-reader), a signing identity',
    );
  });

  it('fails when a role is told to listen on another port than its container declares', async () => {
    workspace = createWorkspace();
    workspace.edit(
      'deploy/k8s/base/submitter.yaml',
      /name: GX_METRICS_PORT\n(\s+)value: "9464"/,
      'name: GX_METRICS_PORT\n$1value: "9465"',
    );
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain(
      'Deployment/gx-submitter container submitter: listens on GX_METRICS_PORT=9465 but port metrics is 9464',
    );
  });

  it('fails on a hand-patched setting in one environment and names it with every environment’s value', async () => {
    workspace = createWorkspace();
    workspace.append('deploy/k8s/overlays/testnet/network.env', 'GX_SUBMITTER_WINDOW=4096\n');
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(sectionStatus(output).get('per-environment differences (devnet, mainnet, testnet)')).toBe('FAIL');
    expect(output).toContain(
      'drift: ConfigMap/gx-config:data.GX_SUBMITTER_WINDOW differs (devnet=1024  mainnet=1024  testnet=4096); not an allowed per-environment difference',
    );
  });

  it("fails when testnet or mainnet carries devnet's channel, MSP, hosts or chaincode package, naming each", async () => {
    workspace = createWorkspace();
    // Copied from devnet's network.env: a whole value, and a host hidden in a list or behind another port.
    workspace.edit(
      'deploy/k8s/overlays/testnet/network.env',
      'GX_FABRIC_CHANNEL=gx-testnet',
      'GX_FABRIC_CHANNEL=gxchannel',
    );
    workspace.edit(
      'deploy/k8s/overlays/testnet/network.env',
      'GX_FABRIC_MSP_ID=GXTestnetMSP',
      'GX_FABRIC_MSP_ID=Org1MSP',
    );
    workspace.edit(
      'deploy/k8s/overlays/mainnet/network.env',
      'GX_CORS_ORIGINS=https://wallet.gxprotocol.io,',
      'GX_CORS_ORIGINS=https://wallet.gxprotocol.io,https://wallet.devnet.gxprotocol.io,',
    );
    workspace.edit(
      'deploy/k8s/overlays/mainnet/network.env',
      'GX_FABRIC_PEER_ENDPOINT=peer-gateway.mainnet.gxprotocol.internal:7051',
      'GX_FABRIC_PEER_ENDPOINT=peer0-org1.fabric-devnet.svc.cluster.local:7443',
    );
    workspace.edit(
      'deploy/k8s/overlays/mainnet/kustomization.yaml',
      /CHAINCODE_ID=gxtv3_0\.1\.0:[0-9a-f]{64}/,
      'CHAINCODE_ID=gxtv3_0.1.0:4fa35cf59e2b78d6e209eb583e2fcf0418b7f4a9453ee00ad6d62529316ab1e2',
    );
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(sectionStatus(output).get('per-environment differences (devnet, mainnet, testnet)')).toBe('FAIL');
    for (const copied of [
      "copied from devnet: testnet ConfigMap/gx-config:data.GX_FABRIC_CHANNEL = gxchannel carries devnet's gxchannel",
      "copied from devnet: testnet ConfigMap/gx-config:data.GX_FABRIC_MSP_ID = Org1MSP carries devnet's Org1MSP",
      'copied from devnet: mainnet ConfigMap/gx-config:data.GX_FABRIC_PEER_ENDPOINT = peer0-org1.fabric-devnet.svc.cluster.local:7443 names devnet',
      "copied from devnet: mainnet ConfigMap/gxtv3-chaincode:data.CHAINCODE_ID = gxtv3_0.1.0:4fa35cf59e2b78d6e209eb583e2fcf0418b7f4a9453ee00ad... carries devnet's gxtv3_0.1.0:4fa35cf59e2b78d6e209eb583e2fcf0418b7f4a9453ee00ad6d62529316ab1e2",
    ]) {
      expect(output).toContain(copied);
    }
    expect(output).toMatch(/copied from devnet: mainnet ConfigMap\/gx-config:data\.GX_CORS_ORIGINS = .* names devnet/);
  });

  it('fails on a placeholder value outside devnet, and still allows one in devnet', async () => {
    workspace = createWorkspace();
    workspace.edit(
      'deploy/k8s/overlays/testnet/kustomization.yaml',
      /CHAINCODE_ID=gxtv3_0\.1\.0:[0-9a-f]{64}/,
      'CHAINCODE_ID=gxtv3_0.1.0:testnet-package-id',
    );
    workspace.edit(
      'deploy/k8s/overlays/mainnet/network.env',
      'GX_FABRIC_TLS_HOST_OVERRIDE=peer0.gx.mainnet.gxprotocol.io',
      'GX_FABRIC_TLS_HOST_OVERRIDE=peer0.example.com',
    );
    workspace.edit(
      'deploy/k8s/overlays/devnet/kustomization.yaml',
      /CHAINCODE_ID=gxtv3_0\.1\.0:[0-9a-f]{64}/,
      'CHAINCODE_ID=gxtv3_0.1.0:devnet-package-id',
    );
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain(
      "placeholder: testnet ConfigMap/gxtv3-chaincode:data.CHAINCODE_ID = gxtv3_0.1.0:testnet-package-id; set the environment's real value",
    );
    expect(output).toContain(
      "placeholder: mainnet ConfigMap/gx-config:data.GX_FABRIC_TLS_HOST_OVERRIDE = peer0.example.com; set the environment's real value",
    );
    expect(output).not.toContain('placeholder: devnet');
    // The differences allowed today are still printed, not failed.
    expect(output).toMatch(/ConfigMap\/gx-config:data\.GX_FABRIC_CHANNEL {2}devnet=gxchannel {2}mainnet=gx-mainnet/);
    expect(output).not.toContain('drift:');
  });

  it('fails on a resource limit patched in one overlay, and on a required network setting left out', async () => {
    workspace = createWorkspace();
    workspace.append(
      'deploy/k8s/overlays/mainnet/kustomization.yaml',
      [
        '  - target:',
        '      kind: Deployment',
        '      name: gx-api',
        '    patch: |-',
        '      - op: replace',
        '        path: /spec/template/spec/containers/0/resources/limits/memory',
        '        value: 2Gi',
        '',
      ].join('\n'),
    );
    workspace.edit('deploy/k8s/overlays/devnet/network.env', /^GX_FABRIC_MSP_ID=.*\n/m, '');
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain(
      'drift: Deployment/gx-api:spec.template.spec.containers[api].resources.limits.memory differs (devnet=512Mi  mainnet=2Gi  testnet=512Mi)',
    );
    expect(output).toContain('missing: ConfigMap/gx-config:data.GX_FABRIC_MSP_ID must be set in every environment');
  });

  it('fails on a variable the code does not read, and on a value the code rejects', async () => {
    workspace = createWorkspace();
    workspace.edit('deploy/k8s/base/config.env', 'GX_FABRIC_TLS=true', 'GX_FABRIC_TLS=maybe\nGX_FABRIC_CHANEL=typo');
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain(
      'Deployment/gx-submitter container submitter: sets GX_FABRIC_CHANEL, which src/config.ts does not read',
    );
    expect(output).toMatch(/Deployment\/gx-api container api: the code rejects GX_FABRIC_TLS: /);
  });

  it('fails when the PostgreSQL cluster would not provide the Service and Secret the roles use', async () => {
    workspace = createWorkspace();
    workspace.edit('deploy/k8s/postgres/cnpg-cluster.yaml', 'name: gx-postgres', 'name: gx-db');
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain('Cluster/gx-db: PGHOST is gx-postgres-rw, not gx-db-rw');
    expect(output).toContain('Cluster/gx-db: gx-migrate reads credentials from gx-postgres-app, not gx-db-app');
  });

  it('fails when a role would log in as the owner or as a login outside its database role (issue 29)', async () => {
    workspace = createWorkspace();
    workspace.edit('deploy/k8s/base/projector.yaml', 'name: gx-postgres-projector', 'name: gx-postgres-app');
    workspace.edit('deploy/k8s/postgres/cnpg-cluster.yaml', 'inRoles: [gx_api]', 'inRoles: [gx_projector]');
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain(
      'Cluster/gx-postgres: gx-projector reads credentials from gx-postgres-app, which is no managed login role in gx_projector',
    );
    expect(output).toContain(
      'Cluster/gx-postgres: gx-api reads credentials from gx-postgres-api, which is no managed login role in gx_api',
    );
  });

  it('fails on manifests that break the Kubernetes schema or the pod security policy', async () => {
    workspace = createWorkspace();
    workspace.edit('deploy/k8s/base/projector.yaml', 'containerPort: 9464', 'containerPort: "nine"');
    workspace.edit('deploy/k8s/base/api.yaml', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    const { code, output } = await runDeployCheckCli(workspace.root);
    expect(code).toBe(1);
    expect(output).toContain(
      'Deployment/gx-projector: data/spec/template/spec/containers/0/ports/0/containerPort must be integer',
    );
    expect(output).toContain('Deployment/gx-api container api: readOnlyRootFilesystem is not true');
  });
});
