import type { EgressContext } from './egress-context.js';
import {
  chainRules,
  ensureForwardJump,
  iptablesMissing,
  readFilter,
  restoreNoflush,
  sameRules,
} from './iptables-exec.js';
import { renderChainReplacement, renderForwardChain } from './render-egress.js';
import { serialised } from './serial.js';
import { removeChain } from '../iptables.js';

export interface ForwardAdmissionOutcome {
  /** iptables is not installed: nothing done. */
  skipped: boolean;
  /** The chain content was (re)written: created, migrated or repaired. */
  rewritten: boolean;
  jumpInserted: boolean;
}

/**
 * Ensures the forward admission chain: return traffic and traffic towards a
 * bridge are accepted; traffic *from* a bridge is left to the space egress chains. When the
 * chain holds anything other than exactly these rules (untagged rules, the obsolete
 * `kukeon-forward:egress` rule, an unscoped ingress rule) it is replaced in one transaction —
 * which is the spec's migration, without a moment where return traffic is not admitted.
 */
export function ensureForwardAdmission(ctx: EgressContext): Promise<ForwardAdmissionOutcome> {
  return serialised(async () => {
    if (await iptablesMissing()) {
      ctx.log.warn('iptables not found on PATH: forward admission chain skipped');
      return { skipped: true, rewritten: false, jumpInserted: false };
    }
    const desired = renderForwardChain(ctx.bridgeWildcard);
    let t = await readFilter(ctx);
    let rewritten = false;
    if (!t.chains.includes(ctx.forwardChain) || !sameRules(chainRules(t, ctx.forwardChain), desired)) {
      await restoreNoflush(
        renderChainReplacement(ctx.forwardChain, desired),
        `forward chain ${ctx.forwardChain}`,
      );
      rewritten = true;
      t = await readFilter(ctx);
    }
    const jumpInserted = await ensureForwardJump(t, ctx.forwardChain);
    if (rewritten || jumpInserted)
      ctx.log.info({ chain: ctx.forwardChain, rewritten, jumpInserted }, 'forward admission ensured');
    return { skipped: false, rewritten, jumpInserted };
  });
}

/**
 * Removes the forward admission chain and its FORWARD jump (host uninstall, test cleanup).
 * Returns whether it existed.
 */
export function removeForwardAdmission(ctx: EgressContext): Promise<boolean> {
  return serialised(() => removeChain('filter', ctx.forwardChain));
}
