import type { EgressContext } from './egress-context.js';
import {
  chainRules,
  ensureJump,
  iptablesMissing,
  readFilter,
  restoreNoflush,
  sameRules,
} from './iptables-exec.js';
import { quoteToken, type RuleArgs } from './render-egress.js';
import { serialised } from './serial.js';

/** Comment of the loopback guard rule. */
export const LOCALNET_GUARD_COMMENT = 'kukeon-input:localnet';

/**
 * The loopback guard (docs/host-isolation.md): portmap sets `route_localnet=1` on a space bridge
 * so that `127.0.0.1:<hostPort>` reaches a cell; that same switch lets a cell send packets to
 * `127.0.0.0/8` through its gateway and reach host services bound to loopback only. This rule
 * drops such packets arriving from any kukeon bridge unless they belong to a connection the host
 * opened or one portmap translated (the published-port replies are ESTABLISHED). Written in
 * iptables-save's argument order, so a snapshot compares equal.
 */
export function renderLocalnetGuard(bridgeWildcard: string): RuleArgs {
  return [
    '-d',
    '127.0.0.0/8',
    '-i',
    bridgeWildcard,
    '-m',
    'conntrack',
    '!',
    '--ctstate',
    'RELATED,ESTABLISHED,DNAT',
    '-m',
    'comment',
    '--comment',
    LOCALNET_GUARD_COMMENT,
    '-j',
    'DROP',
  ];
}

export interface InputGuardOutcome {
  /** iptables is not installed: nothing done (portmap cannot run either). */
  skipped: boolean;
  /** The guard rule was (re)written at the head of the input chain. */
  rewritten: boolean;
  jumpInserted: boolean;
}

/**
 * The `iptables-restore --noflush` script that makes the guard the first rule of the input chain:
 * created with the chain when it is missing, otherwise inserted at position 1 and every other
 * guard-tagged rule (a stale one: another bridge prefix) deleted in the same transaction. The
 * chain's other rules (space dispatch rules) are kept.
 */
export function renderGuardRepair(
  chain: string,
  guard: RuleArgs,
  current: readonly RuleArgs[] | undefined,
): string {
  const line = (...tokens: string[]) => tokens.map(quoteToken).join(' ');
  const lines = ['*filter'];
  if (current === undefined) {
    lines.push(`:${chain} - [0:0]`, line('-A', chain, ...guard));
  } else {
    for (const r of current) if (r.includes(LOCALNET_GUARD_COMMENT)) lines.push(line('-D', chain, ...r));
    lines.push(line('-I', chain, '1', ...guard));
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * Ensures the input chain exists with the loopback guard as its first rule, and that `INPUT`
 * jumps to it at position 1. The chain only ever drops or returns — it never accepts — so being
 * first in `INPUT` cannot open the host past its own firewall. Re-asserted on every space ensure.
 */
export function ensureInputGuard(ctx: EgressContext): Promise<InputGuardOutcome> {
  return serialised(async () => {
    if (await iptablesMissing()) {
      ctx.log.warn('iptables not found on PATH: loopback guard skipped');
      return { skipped: true, rewritten: false, jumpInserted: false };
    }
    const guard = renderLocalnetGuard(ctx.bridgeWildcard);
    let t = await readFilter(ctx);
    const current = t.chains.includes(ctx.inputChain) ? chainRules(t, ctx.inputChain) : undefined;
    const tagged = current?.filter((r) => r.includes(LOCALNET_GUARD_COMMENT)) ?? [];
    let rewritten = false;
    if (current === undefined || !sameRules(current.slice(0, 1), [guard]) || tagged.length !== 1) {
      await restoreNoflush(
        renderGuardRepair(ctx.inputChain, guard, current),
        `input chain ${ctx.inputChain}`,
      );
      rewritten = true;
      t = await readFilter(ctx);
    }
    const jumpInserted = await ensureJump(t, 'INPUT', ctx.inputChain);
    if (rewritten || jumpInserted)
      ctx.log.info({ chain: ctx.inputChain, rewritten, jumpInserted }, 'loopback guard ensured');
    return { skipped: false, rewritten, jumpInserted };
  });
}
