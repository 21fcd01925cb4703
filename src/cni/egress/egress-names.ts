import { egressChainName, egressCommentTag } from '../../model/naming/index.js';
import type { EgressContext } from './egress-context.js';

const canonicalPrefix = 'KUKE-EGR-';

/**
 * A space's egress chain: the configured prefix + FNV-1a-32 of `<realm>/<space>` (
 * the hash comes from the one naming helper, only the prefix is configurable).
 */
export function spaceEgressChain(
  ctx: Pick<EgressContext, 'chainPrefix'>,
  realm: string,
  space: string,
): string {
  return ctx.chainPrefix + egressChainName(realm, space).slice(canonicalPrefix.length);
}

/** `kukeon:<realm>:<space>`: the comment prefix of every rule a space owns. */
export function spaceEgressTag(realm: string, space: string): string {
  return egressCommentTag(realm, space);
}

/** Whether `chain` is a per-space egress chain under this prefix (prefix + exactly 8 hex digits). */
export function isSpaceEgressChain(ctx: Pick<EgressContext, 'chainPrefix'>, chain: string): boolean {
  return chain.startsWith(ctx.chainPrefix) && /^[0-9a-f]{8}$/.test(chain.slice(ctx.chainPrefix.length));
}

/** A space's host isolation chain: the host chain prefix + the same 8 hex digits as its egress chain. */
export function spaceHostChain(
  ctx: Pick<EgressContext, 'hostChainPrefix'>,
  realm: string,
  space: string,
): string {
  return ctx.hostChainPrefix + egressChainName(realm, space).slice(canonicalPrefix.length);
}

/** Whether `chain` is a per-space host isolation chain under this prefix. */
export function isSpaceHostChain(ctx: Pick<EgressContext, 'hostChainPrefix'>, chain: string): boolean {
  return (
    chain.startsWith(ctx.hostChainPrefix) && /^[0-9a-f]{8}$/.test(chain.slice(ctx.hostChainPrefix.length))
  );
}
