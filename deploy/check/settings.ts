/**
 * The manifests' environment against the code's configuration (src/config.ts): every variable a container
 * gets must be one the code reads (a misspelt name would otherwise be ignored in silence), and each role's
 * environment must pass the code's own validation, the same `loadConfig` the role runs at start-up.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from './manifests.js';
import { describe } from './manifests.js';
import { configMapsOf, gxRoleOf, workloadsOf } from './workloads.js';

/** Variables read by Node.js itself rather than by src/config.ts. */
const runtimeVariables: ReadonlySet<string> = new Set(['NODE_OPTIONS', 'TZ']);

/** What the code accepts: the variable names it reads and its validation. */
export interface SettingsContract {
  known: ReadonlySet<string>;
  /** Problems `loadConfig` finds in `env`, one per bad variable (empty when it accepts it). */
  validate(env: Record<string, string>): string[];
}

type LoadConfig = (env: NodeJS.ProcessEnv) => unknown;

/** Imports src/config.ts and learns which variables it reads by watching loadConfig read them. */
export async function loadSettingsContract(srcDir: string): Promise<SettingsContract> {
  const module = (await import(pathToFileURL(path.join(srcDir, 'config.ts')).href)) as { loadConfig?: LoadConfig };
  const loadConfig = module.loadConfig;
  if (typeof loadConfig !== 'function') throw new Error('src/config.ts exports no loadConfig');
  const known = new Set<string>(runtimeVariables);
  const recorder = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, key) {
      if (typeof key === 'string') known.add(key);
      return undefined;
    },
  });
  try {
    loadConfig(recorder);
  } catch {
    // Defaults only may be invalid for some settings; the names were read all the same.
  }
  return {
    known,
    validate(env) {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        const issues = (error as { issues?: Array<{ variable: string; message: string }> }).issues;
        if (!issues) return [error instanceof Error ? error.message : String(error)];
        return issues.map((issue) => `${issue.variable}: ${issue.message}`);
      }
    },
  };
}

interface EnvSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

/** Stands in for values that come from Secrets, which the check never sees. */
const secretPlaceholder = 'from-a-secret-0123456789-0123456789';

/** Checks every container that runs `gx <role>` (other images have their own settings). */
export function checkRoleSettings(objects: readonly KubeObject[], contract: SettingsContract): string[] {
  const errors: string[] = [];
  const configMaps = configMapsOf(objects);
  for (const { object, template } of workloadsOf(objects)) {
    for (const container of template.spec.containers) {
      if (gxRoleOf(container) === undefined) continue;
      const where = `${describe(object)} container ${container.name}`;
      const env: Record<string, string> = {};
      const raw = container as unknown as { envFrom?: EnvSource[]; env?: EnvVar[] };
      for (const source of raw.envFrom ?? []) {
        if (!source.configMapRef) continue;
        const data = configMaps.get(source.configMapRef.name);
        if (!data) {
          errors.push(`${where}: envFrom names ConfigMap ${source.configMapRef.name}, which is not rendered`);
          continue;
        }
        Object.assign(env, data);
      }
      for (const variable of raw.env ?? []) env[variable.name] = variable.value ?? secretPlaceholder;
      for (const name of Object.keys(env).sort()) {
        if (!contract.known.has(name)) errors.push(`${where}: sets ${name}, which src/config.ts does not read`);
      }
      for (const problem of contract.validate(env)) errors.push(`${where}: the code rejects ${problem}`);
    }
  }
  return errors;
}
