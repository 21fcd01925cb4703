import type { ServerConfiguration } from '../../api/index.js';
import {
  checkCgroupRoot,
  checkNamespaceSuffix,
  ServerConfigurationError,
} from '../../api/server-configuration.js';
import { hostConfig, type HostConfig } from '../../config.js';
import { parseGoDuration } from '../../model/go-duration.js';
import { checkWebAccess } from '../web/web-access.js';

export const defaultConfigurationPath = '/etc/kukeon/kukeond.yaml';

/** Everything `kukeond serve` runs with, resolved flag > env > configuration file > default. */
export interface DaemonSettings {
  configurationPath: string;
  socket: string;
  socketGid: number;
  runPath: string;
  containerdSocket: string;
  logLevel: string;
  /** 0 disables the reconcile loop. */
  reconcileIntervalMs: number;
  namespaceSuffix: string;
  cgroupRoot: string;
  podSubnetCidr: string;
  /** Memory limit of containers that set none (0: none). */
  defaultMemoryLimitBytes: number;
  /** Hermetic extras (not in the original): unset → HostConfig defaults. */
  cniConfDir?: string;
  cniBinDirs?: string[];
  cniCacheDir?: string;
  cniIpamDir?: string;
  bridgePrefix?: string;
  /** Run the ownership sweep every Nth tick (0 disables). */
  sweepEvery: number;
  /** `host:port` of the Prometheus endpoint; undefined = off (docs/metrics.md). */
  metricsAddress?: string;
  /** `host:port` of the web view; undefined = off (docs/web-view.md). */
  httpAddress?: string;
  /** The web view's bearer token (configuration file only: a flag would show in `ps`). */
  httpToken?: string;
  /** Per-registry CA directory (docs/images.md, "Pulling"). */
  registryCertsDir: string;
  /** Registries (`host[:port]`) reached over plain HTTP or unverified TLS. */
  insecureRegistries: string[];
  /** Non-fatal problems found while resolving (logged once the logger exists). */
  warnings: string[];
}

/** One setting: its flag (commander's camelCase key), env twin and configuration-file field. */
interface Setting {
  flag: string;
  env: string;
  file?: keyof ServerConfiguration;
}

export const settingsTable = {
  socket: { flag: 'socket', env: 'KUKEOND_SOCKET', file: 'socket' },
  socketGid: { flag: 'socketGid', env: 'KUKEOND_SOCKET_GID', file: 'socketGID' },
  runPath: { flag: 'runPath', env: 'KUKEON_RUN_PATH', file: 'runPath' },
  containerdSocket: { flag: 'containerdSocket', env: 'KUKEON_CONTAINERD_SOCKET', file: 'containerdSocket' },
  logLevel: { flag: 'logLevel', env: 'KUKEON_LOG_LEVEL', file: 'logLevel' },
  reconcileInterval: {
    flag: 'reconcileInterval',
    env: 'KUKEOND_RECONCILE_INTERVAL',
    file: 'reconcileInterval',
  },
  namespaceSuffix: {
    flag: 'containerdNamespaceSuffix',
    env: 'KUKEON_NAMESPACE_SUFFIX',
    file: 'containerdNamespaceSuffix',
  },
  cgroupRoot: { flag: 'cgroupRoot', env: 'KUKEON_CGROUP_ROOT', file: 'cgroupRoot' },
  podSubnetCidr: { flag: 'podSubnetCidr', env: 'KUKEON_POD_SUBNET_CIDR', file: 'podSubnetCIDR' },
  defaultMemoryLimitBytes: {
    flag: 'defaultMemoryLimitBytes',
    env: 'KUKEOND_DEFAULT_MEMORY_LIMIT_BYTES',
    file: 'defaultMemoryLimitBytes',
  },
  cniConfDir: { flag: 'cniConfDir', env: 'KUKEON_CNI_CONF_DIR' },
  cniBinDir: { flag: 'cniBinDir', env: 'KUKEON_CNI_BIN_DIR' },
  cniCacheDir: { flag: 'cniCacheDir', env: 'KUKEON_CNI_CACHE_DIR' },
  cniIpamDir: { flag: 'cniIpamDir', env: 'KUKEON_CNI_IPAM_DIR' },
  bridgePrefix: { flag: 'bridgePrefix', env: 'KUKEON_BRIDGE_PREFIX' },
  sweepEvery: { flag: 'sweepEvery', env: 'KUKEOND_SWEEP_EVERY' },
  metricsAddress: { flag: 'metricsAddress', env: 'KUKEOND_METRICS_ADDRESS', file: 'metricsAddress' },
  httpAddress: { flag: 'httpAddress', env: 'KUKEOND_HTTP_ADDRESS', file: 'httpAddress' },
  registryCertsDir: { flag: 'registryCertsDir', env: 'KUKEON_REGISTRY_CERTS_DIR', file: 'registryCertsDir' },
  insecureRegistries: {
    flag: 'insecureRegistry',
    env: 'KUKEON_INSECURE_REGISTRIES',
    file: 'insecureRegistries',
  },
} as const satisfies Record<string, Setting>;

export const SETTINGS_INVALID = 'SERVER_CONFIG_INVALID';

export interface SettingsSources {
  /** Parsed flags (commander's opts()); only flags the user gave are set. */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** The configuration file's values (defaults filled in), or undefined when there is none. */
  file?: ServerConfiguration;
}

const builtin = {
  socket: '/run/kukeon/kukeond.sock',
  socketGID: 0,
  runPath: '/opt/kukeon',
  containerdSocket: '/run/containerd/containerd.sock',
  logLevel: 'info',
  reconcileInterval: '30s',
  containerdNamespaceSuffix: 'kukeon.io',
  cgroupRoot: '/kukeon',
  podSubnetCIDR: '10.88.0.0/16',
  defaultMemoryLimitBytes: 0,
  metricsAddress: '',
  httpAddress: '',
  registryCertsDir: '/etc/kukeon/certs.d',
  insecureRegistries: '',
};

export function resolveDaemonSettings(src: SettingsSources, configurationPath: string): DaemonSettings {
  const warnings: string[] = [];
  const pick = (s: Setting): string | undefined => {
    const f = src.flags[s.flag];
    if (Array.isArray(f)) return f.length ? f.join(',') : undefined;
    if (f !== undefined && f !== '') return String(f);
    const e = src.env[s.env];
    if (e !== undefined && e !== '') return e;
    if (s.file) {
      const v = src.file?.[s.file];
      if (Array.isArray(v)) return v.length ? v.join(',') : '';
      if (v !== undefined && v !== '') return String(v);
      return String(builtin[s.file as keyof typeof builtin]);
    }
    return undefined;
  };
  const req = (s: Setting & { file: keyof ServerConfiguration }): string => pick(s) as string;
  const t = settingsTable;

  const intervalText = req(t.reconcileInterval);
  let reconcileIntervalMs = parseGoDuration(intervalText);
  if (reconcileIntervalMs === undefined) {
    warnings.push(`invalid reconcile interval "${intervalText}"; using 30s`);
    reconcileIntervalMs = 30_000;
  }
  const gidText = req(t.socketGid);
  let socketGid = Number(gidText);
  if (!Number.isInteger(socketGid) || socketGid < 0) {
    warnings.push(`invalid socket gid "${gidText}"; using 0`);
    socketGid = 0;
  }
  const memoryText = req(t.defaultMemoryLimitBytes);
  let defaultMemoryLimitBytes = Number(memoryText);
  if (!Number.isSafeInteger(defaultMemoryLimitBytes) || defaultMemoryLimitBytes < 0) {
    warnings.push(`invalid default memory limit "${memoryText}"; using 0 (none)`);
    defaultMemoryLimitBytes = 0;
  }
  const sweepText = pick(t.sweepEvery) ?? '10';
  let sweepEvery = Number(sweepText);
  if (!Number.isInteger(sweepEvery) || sweepEvery < 0) {
    warnings.push(`invalid sweep-every "${sweepText}"; using 10`);
    sweepEvery = 10;
  }
  const namespaceSuffix = req(t.namespaceSuffix).trim();
  const cgroupRoot = req(t.cgroupRoot).trim();
  const problem = checkNamespaceSuffix(namespaceSuffix) ?? checkCgroupRoot(cgroupRoot);
  if (problem) throw new ServerConfigurationError(`${problem}: server configuration is invalid`);
  const httpAddress = pick(t.httpAddress) || undefined;
  const httpToken = src.file?.httpToken || undefined;
  // A web view any other host can reach without a token is refused before anything starts.
  if (httpAddress) checkWebAccess(httpAddress, httpToken);
  else if (httpToken) warnings.push('httpToken is set but httpAddress is not: the web view is off');
  const binDirs = pick(t.cniBinDir);
  return {
    configurationPath,
    socket: req(t.socket),
    socketGid,
    runPath: req(t.runPath),
    containerdSocket: req(t.containerdSocket),
    logLevel: req(t.logLevel),
    reconcileIntervalMs: Math.max(0, reconcileIntervalMs),
    namespaceSuffix,
    cgroupRoot: cgroupRoot.replace(/\/+$/, ''),
    podSubnetCidr: req(t.podSubnetCidr),
    defaultMemoryLimitBytes,
    cniConfDir: pick(t.cniConfDir),
    cniBinDirs: binDirs ? binDirs.split(':').filter(Boolean) : undefined,
    cniCacheDir: pick(t.cniCacheDir),
    cniIpamDir: pick(t.cniIpamDir),
    bridgePrefix: pick(t.bridgePrefix),
    sweepEvery,
    metricsAddress: pick(t.metricsAddress) || undefined,
    httpAddress,
    httpToken,
    registryCertsDir: req(t.registryCertsDir),
    // One list from whichever source wins: a flag (repeatable), the env (comma-separated) or the file.
    insecureRegistries: req(t.insecureRegistries)
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    warnings,
  };
}

/**
 * The runner's host configuration from the daemon settings. `kukeonGroupGid`: the group of the
 * daemon socket (a supplementary group of every container).
 */
export function hostConfigFromSettings(s: DaemonSettings, kukeonGroupGid?: number): HostConfig {
  const overrides: Partial<HostConfig> = {
    runPath: s.runPath,
    containerdSocket: s.containerdSocket,
    cgroupRoot: s.cgroupRoot,
    subnetPool: s.podSubnetCidr,
    namespaceSuffix: s.namespaceSuffix,
    daemonSocket: s.socket,
    registryCertsDir: s.registryCertsDir,
    insecureRegistries: s.insecureRegistries,
  };
  if (s.defaultMemoryLimitBytes > 0) overrides.defaultMemoryLimitBytes = s.defaultMemoryLimitBytes;
  if (kukeonGroupGid && kukeonGroupGid > 0) overrides.kukeonGroupGid = kukeonGroupGid;
  if (s.cniConfDir) overrides.cniConfDir = s.cniConfDir;
  if (s.cniBinDirs) overrides.cniBinDirs = s.cniBinDirs;
  if (s.cniCacheDir) overrides.cniCacheDir = s.cniCacheDir;
  if (s.cniIpamDir) overrides.cniIpamDir = s.cniIpamDir;
  if (s.bridgePrefix) overrides.bridgePrefix = s.bridgePrefix;
  return hostConfig(overrides);
}
