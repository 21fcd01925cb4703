/** Per-space CNI networks: conflists, plugin execution, attach/detach, teardown, orphans. */
export * from './errors.js';
export * from './types.js';
export {
  buildSpaceConflist,
  readConflist,
  parseConflist,
  writeConflistAtomic,
  describeConflist,
  SPACE_CNI_VERSION,
} from './conflist.js';
export type { SpaceNetworkParams } from './conflist.js';
export * from './ensure-conflist.js';
export { CniExecutor, type CniExecutorOptions } from './cni-executor.js';
export { findPlugin, invokePlugin, type CniCommand } from './plugin-exec.js';
export { cniContext, type CniContext } from './cni-context.js';
export * from './bootstrap.js';
export * from './attach.js';
export * from './detach.js';
export * from './teardown.js';
export * from './orphans.js';
export { masqChainName, type TableSnapshots } from './iptables.js';
export { IPAM_MARKER, listLeases, releaseLeases } from './ipam-leases.js';
export { cacheFilePath, readCacheEntry } from './result-cache.js';
export * from './space-network.js';
export * from './cni-networks.js';
export * from './heal-bridge.js';
export { hostNetworkConflicts, readHostNetworks, type HostNetwork } from './host-networks.js';
export { SubnetAllocator, SUBNET_STATE_FILE, type SubnetAllocatorOptions } from './subnet-allocator.js';
export * from './bridge-port-isolation.js';
