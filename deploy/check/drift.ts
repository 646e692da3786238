/**
 * Environment drift. Every overlay is flattened into `Kind/name:field.path = value` entries (generated name
 * hashes and the namespace taken out), the environments are compared entry by entry, and each difference is
 * either allowed by deploy/k8s/allowed-differences.yaml (printed, so people see how environments differ) or
 * reported as drift (the check fails).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { KubeObject, RenderedOverlay } from './manifests.js';

const allowedDifferencesSchema = z.object({
  allowed: z.array(
    z.object({
      path: z.string().min(1),
      why: z.string().min(1),
      /** When true, an environment may leave the field out entirely. */
      optional: z.boolean().default(false),
      /**
       * When true, each environment must have a value of its own: another environment carrying devnet's value
       * (or one of its hosts) was copied across by mistake.
       */
      ownValue: z.boolean().default(false),
    }),
  ),
});

/** One intended per-environment difference, as read from allowed-differences.yaml. */
export interface AllowedDifference {
  path: string;
  why: string;
  optional: boolean;
  ownValue: boolean;
  pattern: RegExp;
}

/** Reads and compiles allowed-differences.yaml. */
export function loadAllowedDifferences(file: string): AllowedDifference[] {
  return parseAllowedDifferences(readFileSync(file, 'utf8'));
}

/** Compiles allowed differences from YAML text; `*` matches within one dotted segment, `**` matches anything. */
export function parseAllowedDifferences(text: string): AllowedDifference[] {
  const parsed = allowedDifferencesSchema.parse(parse(text));
  return parsed.allowed.map((entry) => ({ ...entry, pattern: globToRegExp(entry.path) }));
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^.]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

const absent = '<absent>';
/** kustomize's name-hash suffix: ten characters from its vowel-free alphabet. */
const hashSuffix = /-[2456789bcdfghkmt]{10}$/;

/** Flattens one overlay into field path → value, independent of its namespace and generated name hashes. */
export function flattenOverlay(objects: readonly KubeObject[]): Map<string, string> {
  const renames = new Map<string, string>();
  for (const object of objects) {
    if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && hashSuffix.test(object.metadata.name)) {
      renames.set(object.metadata.name, object.metadata.name.replace(hashSuffix, ''));
    }
  }
  const entries = new Map<string, string>();
  for (const object of objects) {
    const { namespace: _namespace, ...metadata } = object.metadata;
    // The namespace is the environment's name by design; it is compared as a placeholder, never as a value.
    if (object.kind === 'Namespace') metadata.name = '$NAMESPACE';
    const normalised = rename({ ...object, metadata }, renames) as KubeObject;
    flatten(normalised, `${normalised.kind}/${normalised.metadata.name}:`, entries);
  }
  return entries;
}

/** Replaces generated (hashed) names wherever they are referenced, so references compare equal too. */
function rename(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return renames.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => rename(item, renames));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rename(item, renames)]));
  }
  return value;
}

function flatten(value: unknown, path: string, into: Map<string, string>): void {
  const join = (key: string) => (path.endsWith(':') ? `${path}${key}` : `${path}.${key}`);
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(path, '[]');
    // Lists of named things (containers, env, ports, volumes) are keyed by name, so order does not matter.
    const named = value.every((item) => typeof (item as { name?: unknown } | null)?.name === 'string');
    value.forEach((item, index) => {
      const key = named ? (item as { name: string }).name : String(index);
      flatten(item, `${path}[${key}]`, into);
    });
  } else if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value);
    if (fields.length === 0) into.set(path, '{}');
    for (const [key, item] of fields) flatten(item, join(key), into);
  } else {
    into.set(path, typeof value === 'string' ? value : JSON.stringify(value));
  }
}

/** One field whose value is not the same in every environment. */
export interface Difference {
  path: string;
  /** Environment → value (`<absent>` when the environment lacks the field). */
  values: Record<string, string>;
  allowedBy: AllowedDifference | undefined;
}

/** Compares the overlays field by field. */
export function compareOverlays(
  overlays: readonly RenderedOverlay[],
  allowed: readonly AllowedDifference[],
): Difference[] {
  const flattened = overlays.map((overlay) => ({
    environment: overlay.environment,
    entries: flattenOverlay(overlay.objects),
  }));
  const paths = new Set(flattened.flatMap(({ entries }) => [...entries.keys()]));
  const differences: Difference[] = [];
  for (const path of [...paths].sort()) {
    const values = Object.fromEntries(
      flattened.map(({ environment, entries }) => [environment, entries.get(path) ?? absent]),
    );
    if (new Set(Object.values(values)).size <= 1) continue;
    differences.push({ path, values, allowedBy: allowed.find((entry) => entry.pattern.test(path)) });
  }
  return differences;
}

/** Splits differences into printed notes (allowed) and errors (drift, or an allowed field missing somewhere). */
export function judgeDifferences(differences: readonly Difference[]): { notes: string[]; errors: string[] } {
  const notes: string[] = [];
  const errors: string[] = [];
  for (const difference of differences) {
    const values = Object.entries(difference.values)
      .map(([environment, value]) => `${environment}=${abbreviate(value)}`)
      .join('  ');
    if (!difference.allowedBy) {
      errors.push(`drift: ${difference.path} differs (${values}); not an allowed per-environment difference`);
    } else if (!difference.allowedBy.optional && Object.values(difference.values).includes(absent)) {
      errors.push(`missing: ${difference.path} must be set in every environment (${values})`);
    } else {
      notes.push(`${difference.path}  ${values}`);
    }
  }
  return { notes, errors };
}

function abbreviate(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ');
  return oneLine.length > 64 ? `${oneLine.slice(0, 61)}...` : oneLine || '""';
}

/** The environment whose values the others must never carry. */
const DEVNET = 'devnet';

/**
 * Values nobody means to deploy: documentation domains, `<...>` markers, "package-id" stand-ins, "change me".
 * (`${...}` is not one: Grafana's dashboard variables are written so.)
 * Anything outside devnet that matches was left in place of the real value.
 */
const PLACEHOLDER =
  /\bexample\.(?:com|org|net)\b|placeholder|change-?me|\bTODO\b|\bFIXME\b|\bxxx+\b|<[a-z][\w -]*>|-package-id\b|\bdummy\b|\bREPLACE/i;

/**
 * The parts of a value that identify an environment: each comma- or space-separated item, and for URLs and
 * `host:port` endpoints the host alone, so a devnet host hidden in a list or behind another port is found.
 */
function identities(value: string): Set<string> {
  const parts = new Set<string>();
  for (const item of value.split(/[\s,]+/)) {
    if (item === '' || item === '[]' || item === '{}') continue;
    parts.add(item);
    const host = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/:\s]+)(?::\d+)?(?:\/.*)?$/i.exec(item)?.[1];
    if (host?.includes('.')) parts.add(host.toLowerCase());
  }
  return parts;
}

/**
 * Values copied from devnet into another environment, and placeholders anywhere outside devnet: the
 * differences `compareOverlays` allows are checked for what they differ to. Each error names the environment,
 * the field and the value.
 */
export function checkEnvironmentValues(
  overlays: readonly RenderedOverlay[],
  allowed: readonly AllowedDifference[],
): string[] {
  const flattened = new Map(overlays.map((overlay) => [overlay.environment, flattenOverlay(overlay.objects)]));
  const devnet = flattened.get(DEVNET);
  const errors: string[] = [];
  const ownValue = allowed.filter((entry) => entry.ownValue);
  // Hosts and names devnet uses in its own-value fields: none may appear in another environment's.
  const devnetIdentities = new Set<string>();
  for (const [path, value] of devnet ?? []) {
    if (ownValue.some((entry) => entry.pattern.test(path)))
      for (const part of identities(value)) devnetIdentities.add(part);
  }
  for (const [environment, entries] of flattened) {
    if (environment === DEVNET) continue;
    for (const [path, value] of entries) {
      if (PLACEHOLDER.test(value)) {
        errors.push(`placeholder: ${environment} ${path} = ${abbreviate(value)}; set the environment's real value`);
        continue;
      }
      if (!ownValue.some((entry) => entry.pattern.test(path))) continue;
      if (/\bdevnet\b/i.test(value)) {
        errors.push(`copied from devnet: ${environment} ${path} = ${abbreviate(value)} names devnet`);
        continue;
      }
      const copied = [...identities(value)].filter((part) => devnetIdentities.has(part));
      if (copied.length > 0) {
        errors.push(
          `copied from devnet: ${environment} ${path} = ${abbreviate(value)} carries devnet's ${copied.join(', ')}`,
        );
      }
    }
  }
  return errors;
}
