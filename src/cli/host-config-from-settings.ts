import { hostConfig, type HostConfig } from '../config.js';
import type { Settings } from './settings.js';

/**
 * The runner's HostConfig for in-process commands. The spec's knobs come from Settings; the
 * host paths the spec leaves fixed (CNI cache, IPAM dir, bridge prefix, …) can be moved with
 * `KUKEON_*` variables of our own so tests and side-by-side instances stay hermetic.
 */
export function hostConfigFromSettings(settings: Settings, env: NodeJS.ProcessEnv): HostConfig {
  const overrides: Partial<HostConfig> = {
    runPath: settings.runPath,
    containerdSocket: settings.containerdSocket,
    // HostConfig names the cgroup below each hierarchy root without the leading slash.
    cgroupRoot: settings.cgroupRoot.replace(/^\/+/, '').replace(/\/+$/, ''),
    namespaceSuffix: settings.namespaceSuffix,
    subnetPool: settings.podSubnet,
  };
  if (env.KUKEON_CNI_CONF_DIR) overrides.cniConfDir = env.KUKEON_CNI_CONF_DIR;
  if (env.KUKEON_CNI_CACHE_DIR) overrides.cniCacheDir = env.KUKEON_CNI_CACHE_DIR;
  if (env.KUKEON_CNI_IPAM_DIR) overrides.cniIpamDir = env.KUKEON_CNI_IPAM_DIR;
  if (env.KUKEON_CNI_BIN_DIR) overrides.cniBinDirs = env.KUKEON_CNI_BIN_DIR.split(':').filter(Boolean);
  if (env.KUKEON_BRIDGE_PREFIX) overrides.bridgePrefix = env.KUKEON_BRIDGE_PREFIX;
  if (env.KUKEON_CGROUP_MOUNT) overrides.cgroupMount = env.KUKEON_CGROUP_MOUNT;
  if (env.KUKEON_SNAPSHOTTER) overrides.snapshotter = env.KUKEON_SNAPSHOTTER;
  if (env.KUKEON_REGISTRY_CERTS_DIR) overrides.registryCertsDir = env.KUKEON_REGISTRY_CERTS_DIR;
  if (env.KUKEON_INSECURE_REGISTRIES !== undefined)
    overrides.insecureRegistries = env.KUKEON_INSECURE_REGISTRIES.split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  if (env.KUKEOND_SOCKET) overrides.daemonSocket = env.KUKEOND_SOCKET;
  else if (settings.explicitRunPath) overrides.daemonSocket = `${settings.explicitRunPath}/kukeond.sock`;
  return hostConfig(overrides);
}

/** The env variables a test (or a second instance) sets to make a HostConfig hermetic. */
export function hostConfigEnv(config: HostConfig): Record<string, string> {
  return {
    KUKEON_RUN_PATH: config.runPath,
    KUKEON_CONTAINERD_SOCKET: config.containerdSocket,
    KUKEON_CGROUP_ROOT: `/${config.cgroupRoot}`,
    KUKEON_NAMESPACE_SUFFIX: config.namespaceSuffix,
    KUKEON_POD_SUBNET_CIDR: config.subnetPool,
    KUKEON_CNI_CONF_DIR: config.cniConfDir,
    KUKEON_CNI_CACHE_DIR: config.cniCacheDir,
    KUKEON_CNI_IPAM_DIR: config.cniIpamDir,
    KUKEON_CNI_BIN_DIR: config.cniBinDirs.join(':'),
    KUKEON_BRIDGE_PREFIX: config.bridgePrefix,
    KUKEON_CGROUP_MOUNT: config.cgroupMount,
    KUKEON_SNAPSHOTTER: config.snapshotter,
    KUKEOND_SOCKET: config.daemonSocket,
    KUKEON_REGISTRY_CERTS_DIR: config.registryCertsDir,
    KUKEON_INSECURE_REGISTRIES: config.insecureRegistries.join(','),
  };
}
