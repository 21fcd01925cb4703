import type { EgressContext } from './egress-context.js';
import { isSpaceEgressChain, isSpaceHostChain, spaceEgressChain, spaceHostChain } from './egress-names.js';
import { iptablesMissing, readFilter } from './iptables-exec.js';
import { pruneEmptyRoot, removeEgressChain, removeHostChain } from './apply-egress.js';
import { serialised } from './serial.js';

/**
 * Space egress and host isolation chains under our prefixes (prefix + exactly 8 hex digits) that
 * belong to no live space. Matched by exact name, so a chain of another prefix — another kukeon
 * on this host, or another test process — is never listed.
 */
export async function listEgressOrphans(
  ctx: EgressContext,
  liveSpaces: readonly { realm: string; space: string }[],
): Promise<string[]> {
  if (await iptablesMissing()) return [];
  const live = new Set(
    liveSpaces.flatMap((s) => [
      spaceEgressChain(ctx, s.realm, s.space),
      spaceHostChain(ctx, s.realm, s.space),
    ]),
  );
  return (await readFilter()).chains
    .filter((c) => (isSpaceEgressChain(ctx, c) || isSpaceHostChain(ctx, c)) && !live.has(c))
    .sort();
}

/** Removes the given orphan chains (dispatch rules first); returns the removed ones and the errors. */
export function purgeEgressOrphans(
  ctx: EgressContext,
  chains: readonly string[],
): Promise<{ removed: string[]; errors: unknown[] }> {
  return serialised(async () => {
    const removed: string[] = [];
    const errors: unknown[] = [];
    for (const chain of chains) {
      try {
        const existed = isSpaceHostChain(ctx, chain)
          ? await removeHostChain(ctx, chain)
          : (await removeEgressChain(ctx, chain)).existed;
        if (existed) removed.push(chain);
      } catch (err) {
        errors.push(err);
      }
    }
    if (removed.length > 0) await pruneEmptyRoot(ctx);
    return { removed, errors };
  });
}
