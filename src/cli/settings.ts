import { CliError, cliErrorCodes, q } from './cli-error.js';
import type { ClientConfigSpec } from './client-config.js';

/** The root-persistent flags as commander hands them over: unset = not given. */
export interface GlobalFlags {
  configuration?: string;
  runPath?: string;
  containerdSocket?: string;
  host?: string;
  verbose?: boolean;
  logLevel?: string;
}

/** Everything a command needs to know about where things are, after precedence. */
export interface Settings {
  configPath: string;
  host: string;
  runPath: string;
  containerdSocket: string;
  logLevel: string;
  verbose: boolean;
  namespaceSuffix: string;
  cgroupRoot: string;
  podSubnet: string;
  /** `--run-path` or `KUKEON_RUN_PATH` given explicitly (the file does not count): promotes. */
  explicitRunPath?: string;
  /** `KUKEON_NO_DAEMON=true`. */
  noDaemonEnv: boolean;
}

export const defaults = {
  host: 'unix:///run/kukeon/kukeond.sock',
  runPath: '/opt/kukeon',
  containerdSocket: '/run/containerd/containerd.sock',
  logLevel: 'info',
  namespaceSuffix: 'kukeon.io',
  cgroupRoot: '/kukeon',
  podSubnet: '10.88.0.0/16',
} as const;

/** First defined, non-empty value: flag > env > file > default. */
function pick(...values: (string | undefined)[]): string {
  for (const v of values) if (v !== undefined && v !== '') return v;
  return '';
}

function configureError(message: string): CliError {
  return new CliError(
    cliErrorCodes.clientConfigInvalid,
    `configure runtime: ${message}: server configuration is invalid`,
  );
}

/** Instance identity checks shared with the server side. */
export function validateIdentity(suffix: string, cgroupRoot: string): void {
  const s = suffix.trim();
  if (s === '') throw configureError('containerdNamespaceSuffix is empty');
  if (s.startsWith('.') || s.endsWith('.'))
    throw configureError(`containerdNamespaceSuffix ${q(s)} must not start or end with '.'`);
  if (/[/ \t\n]/.test(s))
    throw configureError(`containerdNamespaceSuffix ${q(s)} contains disallowed character`);
  const r = cgroupRoot.trim().replace(/\/+$/, '');
  if (cgroupRoot.trim() === '') throw configureError('cgroupRoot is empty');
  if (!cgroupRoot.trim().startsWith('/'))
    throw configureError(`cgroupRoot ${q(cgroupRoot)} must be an absolute path`);
  if (r === '') throw configureError(`cgroupRoot ${q(cgroupRoot)} resolves to root`);
}

export function validatePodSubnet(cidr: string): void {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const ok = m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  if (!ok)
    throw new CliError(
      cliErrorCodes.clientConfigInvalid,
      `configure pod subnet CIDR: invalid subnet CIDR: ${q(cidr)}`,
    );
}

/** Applies precedence flag > env > file > default to every field. */
export function resolveSettings(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  file: ClientConfigSpec,
  configPath: string,
): Settings {
  const explicitRunPath = pick(flags.runPath, env.KUKEON_RUN_PATH) || undefined;
  const settings: Settings = {
    configPath,
    host: pick(flags.host, env.KUKEON_HOST, file.host, defaults.host),
    runPath: pick(flags.runPath, env.KUKEON_RUN_PATH, file.runPath, defaults.runPath),
    containerdSocket: pick(
      flags.containerdSocket,
      env.KUKEON_CONTAINERD_SOCKET,
      file.containerdSocket,
      defaults.containerdSocket,
    ),
    logLevel: pick(flags.logLevel, env.KUKEON_LOG_LEVEL, file.logLevel, defaults.logLevel),
    verbose: flags.verbose === true,
    namespaceSuffix: pick(
      env.KUKEON_NAMESPACE_SUFFIX,
      file.containerdNamespaceSuffix,
      defaults.namespaceSuffix,
    ),
    cgroupRoot: pick(env.KUKEON_CGROUP_ROOT, file.cgroupRoot, defaults.cgroupRoot),
    podSubnet: pick(env.KUKEON_POD_SUBNET_CIDR, file.podSubnetCIDR, defaults.podSubnet),
    explicitRunPath,
    noDaemonEnv: isTrue(env.KUKEON_NO_DAEMON),
  };
  validateIdentity(settings.namespaceSuffix, settings.cgroupRoot);
  validatePodSubnet(settings.podSubnet);
  return settings;
}

export function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
}

/**
 * Whether a promotable command runs in-process: its own `--no-daemon`,
 * `KUKEON_NO_DAEMON=true`, or an explicit run path (flag or env, not the file).
 */
export function promotesToInProcess(settings: Settings, noDaemonFlag: boolean | undefined): boolean {
  return noDaemonFlag === true || settings.noDaemonEnv || settings.explicitRunPath !== undefined;
}
