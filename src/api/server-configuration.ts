/**
 * Loading the kukeond configuration file. Missing file ⇒ defaults
 * (the caller decides; this parses text). Unknown fields are rejected like in manifests.
 */
import { LineCounter, parseDocument } from 'yaml';
import { KukeonError } from '../errors.js';
import { documentToTree, goIntTags } from './yaml-tree.js';
import { serverConfigurationDefaults, serverConfigurationDocSchema } from './v1beta1/server-configuration.js';
import { formatPath } from './schema-walk.js';
import { refusedFields } from './refused-fields.js';

export const SERVER_CONFIG_INVALID = 'SERVER_CONFIG_INVALID';

export class ServerConfigurationError extends KukeonError {
  constructor(message: string) {
    super(SERVER_CONFIG_INVALID, message);
  }
}

export type ServerConfiguration = {
  -readonly [
    K in keyof typeof serverConfigurationDefaults
  ]: (typeof serverConfigurationDefaults)[K] extends string
    ? string
    : (typeof serverConfigurationDefaults)[K] extends readonly unknown[]
      ? string[]
      : number;
};

const invalid = (path: string, reason: string) =>
  new ServerConfigurationError(
    `load server configuration: parse server configuration "${path}": ${reason}: server configuration is invalid`,
  );

/** Parse and validate; every unset field takes its built-in default. */
export function parseServerConfiguration(text: string, path: string): ServerConfiguration {
  const doc = parseDocument(text, {
    customTags: goIntTags,
    lineCounter: new LineCounter(),
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) throw invalid(path, doc.errors[0].message);
  const tree = documentToTree(doc) ?? {};
  const parsed = serverConfigurationDocSchema.safeParse(tree);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const reason =
      i.code === 'unrecognized_keys'
        ? `${formatPath([...i.path, i.keys[0]])}: unknown field`
        : `${formatPath(i.path)}: ${i.message}`;
    throw invalid(path, reason);
  }
  const d = parsed.data;
  if (d.kind && d.kind !== 'ServerConfiguration') {
    throw new ServerConfigurationError(
      `"${path}" has kind "${d.kind}", want "ServerConfiguration": server configuration is invalid`,
    );
  }
  if (d.apiVersion && d.apiVersion !== 'v1beta1')
    throw invalid(path, `unsupported apiVersion: ${d.apiVersion} (expected v1beta1)`);
  const refused = refusedFields('ServerConfiguration', serverConfigurationDocSchema, d);
  if (refused.length > 0) throw invalid(path, refused.map((r) => r.message).join('; '));
  const out: ServerConfiguration = { ...serverConfigurationDefaults };
  for (const [k, v] of Object.entries(d.spec ?? {})) {
    if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  }
  const err = checkNamespaceSuffix(out.containerdNamespaceSuffix) ?? checkCgroupRoot(out.cgroupRoot);
  if (err) throw new ServerConfigurationError(`${err}: server configuration is invalid`);
  out.cgroupRoot = out.cgroupRoot.replace(/\/+$/, '');
  return out;
}

/** Instance-identity field rules. */
export function checkNamespaceSuffix(suffix: string): string | undefined {
  const s = suffix.trim();
  if (s === '') return 'containerdNamespaceSuffix is empty';
  if (s.startsWith('.') || s.endsWith('.'))
    return `containerdNamespaceSuffix "${s}" must not start or end with '.'`;
  if (/[/ \t\n]/.test(s)) return `containerdNamespaceSuffix "${s}" contains disallowed character`;
  return undefined;
}

export function checkCgroupRoot(root: string): string | undefined {
  if (root.trim() === '') return 'cgroupRoot is empty';
  if (!root.startsWith('/')) return `cgroupRoot "${root}" must be an absolute path`;
  if (root.replace(/\/+$/, '') === '') return `cgroupRoot "${root}" resolves to root`;
  return undefined;
}
