import type { EgressPolicy } from '../../model/resources.js';
import { removeChain } from '../iptables.js';
import type { EgressContext } from './egress-context.js';
import { EgressError, EgressErrorCode } from './egress-errors.js';
import { isSpaceEgressChain, spaceEgressChain, spaceEgressTag } from './egress-names.js';
import {
  chainRules,
  ensureChain,
  ensureForwardJump,
  iptablesMissing,
  iptFilter,
  readFilter,
  restoreNoflush,
  sameRules,
  showRule,
} from './iptables-exec.js';
import { renderChainReplacement, renderDispatchRule, renderSpaceChain } from './render-egress.js';
import { resolveEgressPolicy, type ResolvedEgressPolicy } from './resolve-policy.js';
import { serialised } from './serial.js';

export interface ApplyEgressParams {
  realm: string;
  space: string;
  /** The space's bridge (`safeBridgeName` of its network). */
  bridge: string;
  /** `space.spec.network.egress`; undefined = admit all. */
  policy: EgressPolicy | undefined;
}

export interface ApplyEgressOutcome {
  chain: string;
  tag: string;
  policy: ResolvedEgressPolicy;
  /** Number of rules in the space chain. */
  rules: number;
  /** False when the chain and dispatch rule already were exactly what the policy renders. */
  changed: boolean;
  dispatchAdded: boolean;
  /** iptables is absent and the policy admits everything: nothing to enforce, nothing done. */
  skipped: boolean;
}

function admitsAll(p: ResolvedEgressPolicy): boolean {
  return p.default === 'allow';
}

/**
 * Installs or replaces a space's egress policy (spec 02 §3.5). Validation and host resolution
 * happen first; a failure there leaves whatever is in force untouched. The space chain is then
 * replaced in one `iptables-restore --noflush` transaction together with its dispatch rule when
 * that is missing, so there is no moment where the bridge's traffic falls through to the rest of
 * FORWARD (the original's flush-and-refill window, spec 02 §12 item 17). An unchanged policy
 * rewrites nothing (counters survive reconcile ticks). Only names derived from this realm/space
 * and the configured chains are touched.
 */
export async function applyEgress(ctx: EgressContext, p: ApplyEgressParams): Promise<ApplyEgressOutcome> {
  const policy = await resolveEgressPolicy(p.policy, ctx.resolve);
  const chain = spaceEgressChain(ctx, p.realm, p.space);
  const tag = spaceEgressTag(p.realm, p.space);
  const rules = renderSpaceChain(policy, tag);
  const dispatch = renderDispatchRule(p.bridge, tag, chain);
  return serialised(async () => {
    if (await iptablesMissing()) {
      if (admitsAll(policy)) {
        ctx.log.warn({ chain }, 'iptables not found on PATH: admit-all egress policy not installed');
        return { chain, tag, policy, rules: 0, changed: false, dispatchAdded: false, skipped: true };
      }
      // A restrictive policy that cannot be enforced must not look applied.
      throw new EgressError(
        EgressErrorCode.ApplyFailed,
        `space ${p.realm}/${p.space} has a restrictive egress policy but iptables is not installed`,
      );
    }
    let t = await readFilter();
    let dispatchPresent: boolean;
    let changed: boolean;
    // Two attempts: another process may prune the (then empty) top-level chain between our
    // ensure and our restore; the second attempt re-creates it.
    for (let attempt = 1; ; attempt++) {
      await ensureChain(t, ctx.rootChain);
      dispatchPresent = t.rules.some((r) => r.chain === ctx.rootChain && sameRules([r.args], [dispatch]));
      const current = t.chains.includes(chain) ? chainRules(t, chain) : undefined;
      changed = !current || !sameRules(current, rules) || !dispatchPresent;
      if (!changed) break;
      const extra = dispatchPresent ? [] : [{ chain: ctx.rootChain, args: dispatch }];
      try {
        await restoreNoflush(
          renderChainReplacement(chain, rules, extra),
          `egress chain ${chain} of ${p.realm}/${p.space}`,
        );
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
        ctx.log.warn({ err, chain }, 'egress chain replacement refused; retrying once');
        t = await readFilter();
      }
    }
    if (changed) t = await readFilter();
    // Dispatch rules to this chain from another bridge (a renamed bridge prefix) are stale.
    for (const r of t.rules) {
      if (r.chain === ctx.rootChain && r.target === chain && !sameRules([r.args], [dispatch])) {
        await iptFilter(['-D', ctx.rootChain, ...r.args]);
        ctx.log.info({ chain, rule: showRule(r.args) }, 'stale egress dispatch rule removed');
      }
    }
    await ensureForwardJump(t, ctx.rootChain);
    if (changed) {
      ctx.log.info(
        {
          chain,
          space: `${p.realm}/${p.space}`,
          default: policy.default,
          allow: policy.rules.length,
          rules: rules.length,
        },
        'egress policy applied',
      );
    }
    return {
      chain,
      tag,
      policy,
      rules: rules.length,
      changed,
      dispatchAdded: !dispatchPresent,
      skipped: false,
    };
  });
}

export interface RemoveEgressOutcome {
  chain: string;
  existed: boolean;
  /** What the terminal DROP rule counted since the chain was last written (deny policies). */
  dropped?: { packets: number; bytes: number };
}

/** The counters of the chain's `:default` DROP rule, for the removal log line. */
async function dropCounters(
  chain: string,
  tag: string,
): Promise<{ packets: number; bytes: number } | undefined> {
  const r = await iptFilter(['-L', chain, '-n', '-v', '-x']);
  if (r.code !== 0) return undefined;
  const line = r.stdout.split('\n').find((l) => l.includes(`${tag}:default`) && /\bDROP\b/.test(l));
  const m = line && /^\s*(\d+)\s+(\d+)/.exec(line);
  return m ? { packets: Number(m[1]), bytes: Number(m[2]) } : undefined;
}

/**
 * Removes a space's egress policy: every rule jumping to its chain (the dispatch rule), then the
 * chain. Missing = success. Throws when the chain is still there afterwards.
 */
export async function removeEgress(
  ctx: EgressContext,
  p: { realm: string; space: string },
): Promise<RemoveEgressOutcome> {
  const chain = spaceEgressChain(ctx, p.realm, p.space);
  const tag = spaceEgressTag(p.realm, p.space);
  return serialised(async () => {
    if (await iptablesMissing()) return { chain, existed: false };
    const out = await removeEgressChain(ctx, chain, tag);
    await pruneEmptyRoot(ctx);
    return out;
  });
}

/**
 * When the last space chain under our prefix is gone, the top-level egress chain, the forward
 * admission chain, the input chain (loopback guard) and their FORWARD/INPUT jumps go too: a host
 * without spaces carries nothing of ours.
 * The next space ensure puts them back. Not serialised (callers hold the queue).
 */
export async function pruneEmptyRoot(ctx: EgressContext): Promise<boolean> {
  const t = await readFilter();
  if (t.chains.some((c) => isSpaceEgressChain(ctx, c))) return false;
  if (t.rules.some((r) => r.chain === ctx.rootChain)) return false; // someone else's rule: keep
  const root = await removeChain('filter', ctx.rootChain, t);
  const fwd = await removeChain('filter', ctx.forwardChain);
  const input = await removeChain('filter', ctx.inputChain);
  if (root || fwd || input)
    ctx.log.info(
      { root: ctx.rootChain, forward: ctx.forwardChain, input: ctx.inputChain },
      'last egress chain gone: top-level chains removed',
    );
  return root || fwd || input;
}

/** Body of removeEgress, also used by the orphan sweep (which knows only the chain name). Not serialised. */
export async function removeEgressChain(
  ctx: EgressContext,
  chain: string,
  tag?: string,
): Promise<RemoveEgressOutcome> {
  const dropped = tag ? await dropCounters(chain, tag) : undefined;
  const existed = await removeChain('filter', chain);
  if (existed && (await readFilter()).chains.includes(chain)) {
    throw new EgressError(EgressErrorCode.ApplyFailed, `egress chain ${chain} could not be removed`);
  }
  if (existed) ctx.log.info({ chain, dropped }, 'egress policy removed');
  return { chain, existed, ...(dropped ? { dropped } : {}) };
}
