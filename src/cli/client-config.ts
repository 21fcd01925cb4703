import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError, cliErrorCodes, q } from './cli-error.js';

/** `spec` of a ClientConfiguration (`kuke.yaml`); every field optional. */
export interface ClientConfigSpec {
  host?: string;
  runPath?: string;
  containerdSocket?: string;
  logLevel?: string;
  containerdNamespaceSuffix?: string;
  cgroupRoot?: string;
  podSubnetCIDR?: string;
}

const specKeys: (keyof ClientConfigSpec)[] = [
  'host',
  'runPath',
  'containerdSocket',
  'logLevel',
  'containerdNamespaceSuffix',
  'cgroupRoot',
  'podSubnetCIDR',
];

/** `$HOME/.kuke/kuke.yaml`; without HOME the original's relative fallback. */
export function defaultClientConfigPath(env: NodeJS.ProcessEnv): string {
  const home = env.HOME;
  return home ? join(home, '.kuke', 'kuke.yaml') : join('tmp', '.kuke', 'kuke.yaml');
}

/** `--configuration` > `KUKE_CONFIGURATION` > default. */
export function clientConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.KUKE_CONFIGURATION || defaultClientConfigPath(env);
}

const defaultDocument = `# kuke client configuration. Every field is optional; flags and environment
# variables (KUKEON_HOST, KUKEON_RUN_PATH, ...) take precedence over this file.
apiVersion: v1beta1
kind: ClientConfiguration
metadata:
  name: default
spec:
  # host: unix:///run/kukeon/kukeond.sock
  # runPath: /opt/kukeon
  # containerdSocket: /run/containerd/containerd.sock
  # logLevel: info
`;

function invalid(message: string, cause?: unknown): CliError {
  return new CliError(
    cliErrorCodes.clientConfigInvalid,
    `load client configuration: ${message}: client configuration is invalid`,
    { cause },
  );
}

/**
 * The flat two-level documents this file holds, parsed without loading a YAML library (it sits on
 * every command's start-up path). Returns undefined for anything beyond `key: scalar` lines and
 * one level of nesting, so the caller falls back to the full parser.
 */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let section: Record<string, unknown> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = /^( *)([A-Za-z][A-Za-z0-9_]*):(?: +(.*))?$/.exec(line);
    if (!m) return undefined;
    const [, indent, key, rawValue] = m;
    const value = rawValue === undefined ? undefined : scalar(rawValue);
    if (value === null) return undefined;
    if (indent === '') {
      if (value === undefined) {
        section = {};
        out[key] = section;
      } else {
        section = undefined;
        out[key] = value;
      }
    } else if (indent === '  ' && section && value !== undefined) {
      section[key] = value;
    } else {
      return undefined;
    }
  }
  return out;
}

/** A plain or quoted scalar (with an optional trailing comment); null when not simple. */
function scalar(raw: string): string | undefined | null {
  const v = raw.replace(/\s+#.*$/, '').trim();
  if (v === '' || v.startsWith('#')) return undefined;
  if (/^"[^"\\]*"$/.test(v) || /^'[^']*'$/.test(v)) return v.slice(1, -1);
  if (/^[\w./:@+-][\w./:@+ -]*$/.test(v) && !v.includes(': ')) return v;
  return null;
}

/**
 * Loads `kuke.yaml`: missing file → empty spec (and, at the default path, a commented default
 * document is written; failures doing so are ignored), unreadable/unparsable/wrong kind → error.
 */
export async function loadClientConfig(path: string, isDefaultPath: boolean): Promise<ClientConfigSpec> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (isDefaultPath) writeDefault(path);
      return {};
    }
    throw new CliError(
      cliErrorCodes.clientConfigInvalid,
      `load client configuration: read client configuration ${q(path)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let doc: unknown = parseSimpleYaml(text);
  if (doc === undefined) {
    const { parse } = await import('yaml');
    try {
      doc = parse(text);
    } catch (err) {
      throw invalid(`parse client configuration ${q(path)}`, err);
    }
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw invalid(`parse client configuration ${q(path)}`);
  const rec = doc as Record<string, unknown>;
  if (rec.kind !== undefined && rec.kind !== 'ClientConfiguration') {
    throw new CliError(
      cliErrorCodes.clientConfigInvalid,
      `load client configuration: client configuration ${q(path)} has kind ${q(String(rec.kind))}, want "ClientConfiguration": client configuration is invalid`,
    );
  }
  const spec = (rec.spec ?? {}) as Record<string, unknown>;
  const out: ClientConfigSpec = {};
  for (const key of specKeys) {
    const v = spec[key];
    if (v !== undefined && v !== null && v !== '') out[key] = String(v);
  }
  return out;
}

function writeDefault(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    writeFileSync(path, defaultDocument, { mode: 0o600, flag: 'wx' });
  } catch {
    // First-run convenience only: never a failure.
  }
}
