import { removeChain, readTable, type IptTable } from '../iptables.js';
import type { EgressContext } from './egress-context.js';
import { restoreNoflush, sameRules } from './iptables-exec.js';
import { quoteToken, type RuleArgs } from './render-egress.js';

/** The comment role of a space's masquerade rule: `kukeon:<realm>:<space>:masquerade`. */
const ROLE = 'masquerade';

/**
 * One source NAT rule per space (docs/cni.md, "Masquerade"), in place of the bridge plugin's
 * `ipMasq` chain per cell: what a cell sends out of the host through any other interface leaves
 * with the host's address. Traffic that stays on the space's own bridge (cell to cell, and
 * portmap's hairpin, which portmap masquerades itself) is left alone. Written in iptables-save's
 * argument order, so a snapshot compares equal.
 */
export function renderMasqueradeRule(subnet: string, bridge: string, tag: string): RuleArgs {
  return [
    '-s',
    subnet,
    '!',
    '-o',
    bridge,
    '-m',
    'comment',
    '--comment',
    `${tag}:${ROLE}`,
    '-j',
    'MASQUERADE',
  ];
}

const line = (...tokens: string[]): string => tokens.map(quoteToken).join(' ');

/** Whether a nat rule is some space's masquerade rule in our chain. */
function isMasqueradeRule(ctx: EgressContext, r: { chain: string; comment?: string }): boolean {
  return r.chain === ctx.postroutingChain && (r.comment?.endsWith(`:${ROLE}`) ?? false);
}

/**
 * The `iptables-restore --noflush` script that makes `rule` the only masquerade rule of `tag` in
 * the postrouting chain: the chain declared only when missing (declaring flushes it), stale rules
 * of the space (an old subnet or bridge, a duplicate) deleted, the rule appended, `POSTROUTING`
 * made to jump to the chain — one transaction. Undefined when nothing is to change.
 */
export function renderMasqueradeSync(
  ctx: Pick<EgressContext, 'postroutingChain'>,
  t: IptTable,
  tag: string,
  rule: RuleArgs,
): string | undefined {
  const chain = ctx.postroutingChain;
  const mine = t.rules.filter((r) => r.chain === chain && r.comment === `${tag}:${ROLE}`);
  const jumped = t.rules.some((r) => r.chain === 'POSTROUTING' && r.target === chain && r.args.length === 2);
  const present = t.chains.includes(chain);
  if (present && jumped && mine.length === 1 && sameRules([mine[0].args], [rule])) return undefined;
  const lines = ['*nat'];
  if (!present) lines.push(`:${chain} - [0:0]`);
  const keep = mine.findIndex((r) => sameRules([r.args], [rule]));
  mine.forEach((r, i) => {
    if (i !== keep) lines.push(line('-D', chain, ...r.args));
  });
  if (keep < 0) lines.push(line('-A', chain, ...rule));
  // Appended, as the bridge plugin appended its per-cell jumps: the host's own POSTROUTING rules
  // (an SNAT of its own for some uplink) keep deciding first.
  if (!jumped) lines.push(line('-A', 'POSTROUTING', '-j', chain));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * Ensures a space's masquerade rule; an unchanged rule rewrites nothing. Not serialised
 * (callers hold the egress queue). Returns whether anything was written.
 */
export async function syncSpaceMasquerade(
  ctx: EgressContext,
  p: { tag: string; subnet: string; bridge: string; what: string },
): Promise<boolean> {
  const script = renderMasqueradeSync(
    ctx,
    await readTable('nat'),
    p.tag,
    renderMasqueradeRule(p.subnet, p.bridge, p.tag),
  );
  if (!script) return false;
  await restoreNoflush(script, `masquerade rule of ${p.what}`);
  ctx.log.info({ chain: ctx.postroutingChain, space: p.what, subnet: p.subnet }, 'space masquerade ensured');
  return true;
}

/**
 * Deletes the masquerade rules of the given space tags (one transaction), then the postrouting
 * chain and its jump once no masquerade rule of any space is left in it. Not serialised.
 * Returns the tags whose rule existed.
 */
export async function removeSpaceMasquerade(ctx: EgressContext, tags: readonly string[]): Promise<string[]> {
  const t = await readTable('nat');
  const doomed = t.rules.filter(
    (r) => isMasqueradeRule(ctx, r) && tags.some((tag) => r.comment === `${tag}:${ROLE}`),
  );
  if (doomed.length > 0) {
    const script = ['*nat', ...doomed.map((r) => line('-D', r.chain, ...r.args)), 'COMMIT', ''].join('\n');
    await restoreNoflush(script, `masquerade rules ${doomed.map((r) => r.comment).join(', ')}`);
    ctx.log.info(
      { chain: ctx.postroutingChain, rules: doomed.map((r) => r.comment) },
      'space masquerade removed',
    );
  }
  await prunePostrouting(ctx);
  return [...new Set(doomed.map((r) => r.comment?.slice(0, -ROLE.length - 1) ?? ''))];
}

/** Removes the postrouting chain (and its jump) when it holds no rule at all. Not serialised. */
export async function prunePostrouting(ctx: EgressContext): Promise<boolean> {
  const t = await readTable('nat');
  if (!t.chains.includes(ctx.postroutingChain)) return false;
  if (t.rules.some((r) => r.chain === ctx.postroutingChain)) return false;
  return removeChain('nat', ctx.postroutingChain, t);
}

/** The tags of masquerade rules in our chain whose space is not in `liveTags`. */
export async function listMasqueradeOrphans(
  ctx: EgressContext,
  liveTags: ReadonlySet<string>,
): Promise<string[]> {
  const t = await readTable('nat');
  return [
    ...new Set(
      t.rules
        .filter((r) => isMasqueradeRule(ctx, r))
        .map((r) => (r.comment ?? '').slice(0, -ROLE.length - 1))
        .filter((tag) => !liveTags.has(tag)),
    ),
  ].sort();
}
