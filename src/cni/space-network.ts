import { join } from 'node:path';
import { networkName, safeBridgeName } from '../model/naming/index.js';
import type { SubnetAllocator } from './subnet-allocator.js';
import type { CniContext } from './cni-context.js';
import { ensureSpaceConflist, type EnsureConflistOutcome } from './ensure-conflist.js';

/** The identifiers of one space's network, derived once. */
export interface SpaceNetworkRef {
  realm: string;
  space: string;
  /** `<realm>-<space>`. */
  networkName: string;
  /** `<bridgePrefix><fnv1a32 hex>`. */
  bridgeName: string;
  /** `<cniConfDir>/<realm>/<space>/network.conflist`. */
  conflistPath: string;
}

export function spaceNetworkRef(
  ctx: Pick<CniContext, 'confDir' | 'bridgePrefix'>,
  realm: string,
  space: string,
): SpaceNetworkRef {
  const name = networkName(realm, space);
  return {
    realm: realm.trim(),
    space: space.trim(),
    networkName: name,
    bridgeName: safeBridgeName(name, ctx.bridgePrefix),
    conflistPath: join(ctx.confDir, realm.trim(), space.trim(), 'network.conflist'),
  };
}

/**
 * Create-or-ensure of a space network: the conflist with the derived names. When
 * it has to be (re)written, the subnet is the allocator's record, else the one already in the old
 * conflist (legacy spaces keep theirs and get no state file), else a fresh allocation.
 */
export async function ensureSpaceNetwork(
  ctx: CniContext,
  p: { realm: string; space: string; allocator: SubnetAllocator; force?: boolean },
): Promise<SpaceNetworkRef & EnsureConflistOutcome> {
  const ref = spaceNetworkRef(ctx, p.realm, p.space);
  const outcome = await ensureSpaceConflist({
    path: ref.conflistPath,
    networkName: ref.networkName,
    bridgeName: ref.bridgeName,
    ipamDataDir: ctx.ipamDir,
    force: p.force,
    subnetFor: async (previous) =>
      (await p.allocator.current(ref.realm, ref.space)) ??
      previous ??
      (await p.allocator.allocate(ref.realm, ref.space)),
  });
  return { ...ref, ...outcome };
}
