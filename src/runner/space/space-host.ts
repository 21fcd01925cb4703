import {
  healBridge,
  ensureSpaceNetwork,
  spaceNetworkRef,
  teardownNetwork,
  type SpaceNetworkRef,
} from '../../cni/index.js';
import { spaceCgroupPath } from '../../model/naming/index.js';
import type { Space } from '../../model/resources.js';
import { readResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import { applySpaceEgress, removeSpaceEgress } from './space-egress.js';
import type { RunnerContext } from '../runner-context.js';

export interface SpaceHostFacts {
  network: SpaceNetworkRef;
  subnet: string;
  networkExisted: boolean;
  networkCreated: boolean;
  cgroupExisted: boolean;
  cgroupCreated: boolean;
  cgroupPath: string;
  subtreeControllers: string[];
  /** The space egress chain, re-applied on every ensure. */
  egressChain: string;
}

/**
 * Makes the host match a space: its CNI network (subnet allocation + conflist; the bridge itself
 * is made by the bridge plugin on the first cell attach, as in the original) and its cgroup.
 * Creates what is missing and repairs a conflist that names the wrong bridge.
 */
export async function ensureSpaceHost(
  ctx: RunnerContext,
  realm: string,
  space: string,
  /** The space's `spec.network`; omitted = the stored space document's. */
  given?: { network: Space['spec']['network'] },
): Promise<SpaceHostFacts> {
  const net = await ensureSpaceNetwork(ctx.cni, { realm, space, allocator: ctx.subnets });
  // A bridge deleted by hand while cells are attached: re-create it and re-attach their veths.
  const healed = await healBridge(ctx.cni, net.networkName, net.bridgeName);
  if (healed.recreated)
    ctx.events?.emit({
      kind: 'Space',
      type: 'Warning',
      reason: 'BridgeRecreated',
      realm,
      space,
      message: `bridge ${net.bridgeName} was missing: re-created, ${healed.reattached.length} veth(s) re-attached`,
    });
  const cgroupPath = spaceCgroupPath(ctx.config.cgroupRoot, realm, space);
  const cgroupExisted = (await ctx.cgroups.exists(cgroupPath)).exists;
  const ensured = await ctx.cgroups.ensure(cgroupPath, { subtreeControllers: 'resource' });
  // Egress policy: fatal on failure; re-applied on every ensure so an updated
  // policy takes effect (the original applied it only at create).
  const egressApplied = await applySpaceEgress(ctx, realm, space, {
    network: given
      ? given.network
      : (await readResource(ctx, 'Space', scopes.space(realm, space)))?.spec.network,
    subnet: net.subnet,
  });
  return {
    network: {
      realm: net.realm,
      space: net.space,
      networkName: net.networkName,
      bridgeName: net.bridgeName,
      conflistPath: net.conflistPath,
    },
    subnet: net.subnet,
    networkExisted: net.action !== 'created',
    networkCreated: net.action === 'created',
    cgroupExisted,
    cgroupCreated: ensured.created,
    cgroupPath,
    subtreeControllers: ensured.subtreeControllers,
    egressChain: egressApplied.chain,
  };
}

export interface SpaceTeardownFacts {
  networkDeleted: boolean;
  cgroupDeleted: boolean;
}

/**
 * Removes a space's host state: the network (veths left on the bridge, the bridge, masquerade
 * chains, IPAM leases, cache entries, conflist), the subnet allocation and the cgroup subtree.
 * Tolerant of pieces already gone; only this space's network name is touched.
 */
export async function removeSpaceHost(
  ctx: RunnerContext,
  realm: string,
  space: string,
): Promise<SpaceTeardownFacts> {
  await removeSpaceEgress(ctx, realm, space); // before the bridge goes; failure = warning
  const ref = spaceNetworkRef(ctx.cni, realm, space);
  const report = await teardownNetwork(ctx.cni, {
    networkName: ref.networkName,
    conflistPath: ref.conflistPath,
    bridgeName: ref.bridgeName,
  });
  if (report.errors.length > 0) {
    const first = report.errors[0];
    throw new Error(
      `network ${ref.networkName}: ${first.step} failed: ${(first.error as Error)?.message ?? first.error}`,
      {
        cause: first.error,
      },
    );
  }
  await ctx.subnets.release(realm, space);
  const removed = await ctx.cgroups.remove(spaceCgroupPath(ctx.config.cgroupRoot, realm, space), {
    force: true,
  });
  return {
    networkDeleted: report.conflistRemoved || report.bridgeRemoved || report.ipamDirRemoved,
    cgroupDeleted: removed.existed,
  };
}
