import { ErrorCode } from '../../error-codes.js';
import type { EgressPolicy } from '../../model/resources.js';
import { removeChain, type IptTable } from '../iptables.js';
import type { EgressContext } from './egress-context.js';
import { EgressError } from './egress-errors.js';
import {
  isSpaceEgressChain,
  isSpaceHostChain,
  spaceEgressChain,
  spaceEgressTag,
  spaceHostChain,
} from './egress-names.js';
import {
  chainRules,
  ensureChain,
  ensureJump,
  iptablesMissing,
  iptFilter,
  readFilter,
  restoreNoflush,
  sameRules,
  showRule,
} from './iptables-exec.js';
import {
  renderCellRules,
  renderChainReplacement,
  renderDispatchRule,
  renderHostChain,
  renderSpaceChain,
  type RuleArgs,
} from './render-egress.js';
import { resolveEgressPolicy, type ResolvedEgressPolicy } from './resolve-policy.js';
import { serialised } from './serial.js';
import { removeSpaceMasquerade, syncSpaceMasquerade } from './space-masquerade.js';
import type { SpaceIsolation } from '../../model/space-isolation.js';

export interface ApplyEgressParams {
  realm: string;
  space: string;
  /** The space's bridge (`safeBridgeName` of its network). */
  bridge: string;
  /** `space.spec.network.egress`; undefined = admit all. */
  policy: EgressPolicy | undefined;
  /**
   * The nameservers of the cells' resolv.conf: under `deny`, DNS to one of them that is a host
   * address stays allowed (docs/host-isolation.md).
   */
  nameservers?: readonly string[];
  /** `spec.network.isolation` (docs/cell-isolation.md); undefined = none. */
  isolation?: SpaceIsolation;
  /**
   * The space's subnet: when given, its one masquerade rule is ensured in the postrouting chain
   * (docs/cni.md, "Masquerade"), in the same step as its chains.
   */
  subnet?: string;
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
  /** The space's host isolation chain (deny policies only). */
  hostChain?: string;
  /** The space's masquerade rule was written (it was missing or stale). */
  masqueradeChanged?: boolean;
}

function admitsAll(p: ResolvedEgressPolicy): boolean {
  return p.default === 'allow';
}

/**
 * Installs or replaces a space's egress policy. Validation and host resolution
 * happen first; a failure there leaves whatever is in force untouched. The space chain is then
 * replaced in one `iptables-restore --noflush` transaction together with its dispatch rule when
 * that is missing, so there is no moment where the bridge's traffic falls through to the rest of
 * FORWARD (the original's flush-and-refill window item 17). An unchanged policy
 * rewrites nothing (counters survive reconcile ticks). Only names derived from this realm/space
 * and the configured chains are touched.
 */
export async function applyEgress(ctx: EgressContext, p: ApplyEgressParams): Promise<ApplyEgressOutcome> {
  const policy = await resolveEgressPolicy(p.policy, ctx.resolve);
  const chain = spaceEgressChain(ctx, p.realm, p.space);
  const tag = spaceEgressTag(p.realm, p.space);
  const base = renderSpaceChain(policy, tag);
  const cellRules = renderCellRules(p.bridge, tag, p.isolation ?? 'none', policy.default);
  const rules = [...base.slice(0, 1), ...cellRules, ...base.slice(1)];
  const dispatch = renderDispatchRule(p.bridge, tag, chain);
  return serialised(async () => {
    if (await iptablesMissing()) {
      if (admitsAll(policy) && (p.isolation ?? 'none') === 'none') {
        ctx.log.warn(
          { chain },
          'iptables not found on PATH: admit-all egress policy and masquerade not installed',
        );
        return { chain, tag, policy, rules: 0, changed: false, dispatchAdded: false, skipped: true };
      }
      // A restrictive policy that cannot be enforced must not look applied.
      throw new EgressError(
        ErrorCode.EGRESS_APPLY_FAILED,
        `space ${p.realm}/${p.space} has a restrictive egress policy or cell isolation but iptables is not installed`,
      );
    }
    let t = await readFilter(ctx);
    const egress = await installDispatchedChain(ctx, t, {
      from: 'FORWARD',
      root: ctx.rootChain,
      chain,
      rules,
      dispatch,
      what: `egress chain ${chain} of ${p.realm}/${p.space}`,
    });
    const changed = egress.changed;
    const dispatchPresent = !egress.dispatchAdded;
    t = egress.table;
    const host = await syncHostChain(ctx, t, p, policy, tag);
    const masqueradeChanged = p.subnet
      ? await syncSpaceMasquerade(ctx, {
          tag,
          subnet: p.subnet,
          bridge: p.bridge,
          what: `${p.realm}/${p.space}`,
        })
      : false;
    if (changed) {
      ctx.log.info(
        {
          chain,
          space: `${p.realm}/${p.space}`,
          default: policy.default,
          allow: policy.rules.length,
          isolation: p.isolation ?? 'none',
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
      hostChain: host,
      masqueradeChanged,
    };
  });
}

interface DispatchedChain {
  /** The built-in chain that jumps to `root`. */
  from: 'FORWARD' | 'INPUT';
  /** Top-level chain holding one dispatch rule per space. */
  root: string;
  chain: string;
  rules: RuleArgs[];
  dispatch: RuleArgs;
  /** For error messages. */
  what: string;
}

/**
 * Replaces a per-space chain with `rules` in one `iptables-restore --noflush` transaction,
 * together with its dispatch rule in `root` when that is missing, so there is no moment where the
 * bridge's traffic falls through (the original's flush-and-refill window). Unchanged = nothing
 * written (counters survive). Dispatch rules to the chain that differ (a renamed bridge prefix)
 * are deleted; `from` is made to jump to `root`. Not serialised (callers hold the queue).
 */
async function installDispatchedChain(
  ctx: EgressContext,
  t: IptTable,
  d: DispatchedChain,
): Promise<{ changed: boolean; dispatchAdded: boolean; table: IptTable }> {
  let dispatchPresent: boolean;
  let changed: boolean;
  // Two attempts: another process may prune the (then empty) top-level chain between our
  // ensure and our restore; the second attempt re-creates it.
  for (let attempt = 1; ; attempt++) {
    await ensureChain(t, d.root);
    dispatchPresent = t.rules.some((r) => r.chain === d.root && sameRules([r.args], [d.dispatch]));
    const current = t.chains.includes(d.chain) ? chainRules(t, d.chain) : undefined;
    changed = !current || !sameRules(current, d.rules) || !dispatchPresent;
    if (!changed) break;
    const extra = dispatchPresent ? [] : [{ chain: d.root, args: d.dispatch }];
    try {
      await restoreNoflush(renderChainReplacement(d.chain, d.rules, extra), d.what);
      break;
    } catch (err) {
      if (attempt >= 2) throw err;
      ctx.log.warn({ err, chain: d.chain }, 'chain replacement refused; retrying once');
      t = await readFilter(ctx);
    }
  }
  if (changed) t = await readFilter(ctx);
  for (const r of t.rules) {
    if (r.chain === d.root && r.target === d.chain && !sameRules([r.args], [d.dispatch])) {
      await iptFilter(['-D', d.root, ...r.args]);
      ctx.log.info({ chain: d.chain, rule: showRule(r.args) }, 'stale dispatch rule removed');
    }
  }
  await ensureJump(t, d.from, d.root);
  return { changed, dispatchAdded: !dispatchPresent, table: t };
}

/**
 * Host isolation (docs/host-isolation.md): a `deny` space gets a chain in the input chain that
 * drops what its cells send to the host's own addresses unless the policy allows it (or it is
 * DNS to a nameserver of the cells' resolv.conf); an admitting space has none (a chain left from
 * an earlier `deny` is removed). Returns the host chain, or undefined when the space has none.
 */
async function syncHostChain(
  ctx: EgressContext,
  t: IptTable,
  p: ApplyEgressParams,
  policy: ResolvedEgressPolicy,
  tag: string,
): Promise<string | undefined> {
  const chain = spaceHostChain(ctx, p.realm, p.space);
  if (policy.default !== 'deny') {
    if (t.chains.includes(chain) && (await removeChain('filter', chain, t)))
      ctx.log.info({ chain, space: `${p.realm}/${p.space}` }, 'host isolation removed');
    return undefined;
  }
  const rules = renderHostChain(policy, tag, p.nameservers ?? []);
  const out = await installDispatchedChain(ctx, t, {
    from: 'INPUT',
    root: ctx.inputChain,
    chain,
    rules,
    dispatch: renderDispatchRule(p.bridge, `${tag}:host`, chain),
    what: `host isolation chain ${chain} of ${p.realm}/${p.space}`,
  });
  if (out.changed)
    ctx.log.info({ chain, space: `${p.realm}/${p.space}`, rules: rules.length }, 'host isolation applied');
  return chain;
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
    await removeHostChain(ctx, spaceHostChain(ctx, p.realm, p.space));
    await removeSpaceMasquerade(ctx, [tag]);
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
  const t = await readFilter(ctx);
  if (t.chains.some((c) => isSpaceEgressChain(ctx, c) || isSpaceHostChain(ctx, c))) return false;
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

/** Removes a host isolation chain and its dispatch rule; throws when it is still there. Not serialised. */
export async function removeHostChain(ctx: EgressContext, chain: string): Promise<boolean> {
  const existed = await removeChain('filter', chain);
  if (existed && (await readFilter(ctx)).chains.includes(chain)) {
    throw new EgressError(
      ErrorCode.EGRESS_APPLY_FAILED,
      `host isolation chain ${chain} could not be removed`,
    );
  }
  if (existed) ctx.log.info({ chain }, 'host isolation removed');
  return existed;
}

/** Body of removeEgress, also used by the orphan sweep (which knows only the chain name). Not serialised. */
export async function removeEgressChain(
  ctx: EgressContext,
  chain: string,
  tag?: string,
): Promise<RemoveEgressOutcome> {
  const dropped = tag ? await dropCounters(chain, tag) : undefined;
  const existed = await removeChain('filter', chain);
  if (existed && (await readFilter(ctx)).chains.includes(chain)) {
    throw new EgressError(ErrorCode.EGRESS_APPLY_FAILED, `egress chain ${chain} could not be removed`);
  }
  if (existed) ctx.log.info({ chain, dropped }, 'egress policy removed');
  return { chain, existed, ...(dropped ? { dropped } : {}) };
}
