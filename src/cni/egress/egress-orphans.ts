import type { EgressContext } from './egress-context.js';
import {
  isSpaceEgressChain,
  isSpaceHostChain,
  spaceEgressChain,
  spaceEgressTag,
  spaceHostChain,
} from './egress-names.js';
import { iptablesMissing, readFilter } from './iptables-exec.js';
import { pruneEmptyRoot, removeEgressChain, removeHostChain } from './apply-egress.js';
import { serialised } from './serial.js';
import { listMasqueradeOrphans, removeSpaceMasquerade } from './space-masquerade.js';

/**
 * The masquerade rules (by comment tag, `kukeon:<realm>:<space>`) in our postrouting chain whose
 * space is not live.
 */
export async function listMasqueradeRuleOrphans(
  ctx: EgressContext,
  liveSpaces: readonly { realm: string; space: string }[],
): Promise<string[]> {
  if (await iptablesMissing()) return [];
  return listMasqueradeOrphans(ctx, new Set(liveSpaces.map((s) => spaceEgressTag(s.realm, s.space))));
}

/** Removes the masquerade rules of the given tags (and the chain once empty). */
export function purgeMasqueradeRuleOrphans(
  ctx: EgressContext,
  tags: readonly string[],
): Promise<{ removed: string[]; errors: unknown[] }> {
  return serialised(async () => {
    if (tags.length === 0) return { removed: [], errors: [] };
    try {
      const removed = await removeSpaceMasquerade(ctx, tags);
      return { removed: removed.map((tag) => `${ctx.postroutingChain} ${tag}:masquerade`), errors: [] };
    } catch (err) {
      return { removed: [], errors: [err] };
    }
  });
}

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
  return (await readFilter(ctx)).chains
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
