import { removeChain, readTable, type IptTable } from '../iptables.js';
import type { EgressContext } from './egress-context.js';
import { restoreNoflush, sameRules } from './iptables-exec.js';
import { quoteToken, type RuleArgs } from './render-egress.js';

/** The comment role of a space's rule: `kukeon:<realm>:<space>:masquerade`. */
const roleRe = /^(.*):masquerade$/;

/**
 * The source NAT of a space (docs/cni.md, "Masquerade"): one rule in place of the bridge plugin's
 * `ipMasq` chain per cell. What a cell sends out of the host through any other interface leaves
 * with the host's address; traffic that stays on the space's own bridge is left alone (portmap
 * masquerades its own hairpin: a cell of the subnet reaching a published port through a host
 * address). Returned as a list (the sync handles any number); written in iptables-save's order.
 */
export function renderMasqueradeRules(subnet: string, bridge: string, tag: string): RuleArgs[] {
  return [
    ['-s', subnet, '!', '-o', bridge, '-m', 'comment', '--comment', `${tag}:masquerade`, '-j', 'MASQUERADE'],
  ];
}

const line = (...tokens: string[]): string => tokens.map(quoteToken).join(' ');

/** The space tag of one of our masquerade rules, or undefined for any other rule. */
function masqueradeTag(
  ctx: Pick<EgressContext, 'postroutingChain'>,
  r: { chain: string; comment?: string },
): string | undefined {
  return r.chain === ctx.postroutingChain ? roleRe.exec(r.comment ?? '')?.[1] : undefined;
}

/**
 * The `iptables-restore --noflush` script that makes `rules` the only masquerade rules of `tag` in
 * the postrouting chain: the chain declared only when missing (declaring flushes it), the space's
 * current rules (an old subnet or bridge, a duplicate) deleted and `rules` appended, `POSTROUTING`
 * made to jump to the chain — one transaction. Undefined when nothing is to change.
 */
export function renderMasqueradeSync(
  ctx: Pick<EgressContext, 'postroutingChain'>,
  t: IptTable,
  tag: string,
  rules: readonly RuleArgs[],
): string | undefined {
  const chain = ctx.postroutingChain;
  const mine = t.rules.filter((r) => masqueradeTag(ctx, r) === tag);
  const jumped = t.rules.some((r) => r.chain === 'POSTROUTING' && r.target === chain && r.args.length === 2);
  const present = t.chains.includes(chain);
  if (
    present &&
    jumped &&
    sameRules(
      mine.map((r) => r.args),
      rules,
    )
  )
    return undefined;
  const lines = ['*nat'];
  if (!present) lines.push(`:${chain} - [0:0]`);
  for (const r of mine) lines.push(line('-D', chain, ...r.args));
  for (const r of rules) lines.push(line('-A', chain, ...r));
  // Appended, as the bridge plugin appended its per-cell jumps: the host's own POSTROUTING rules
  // (an SNAT of its own for some uplink) keep deciding first.
  if (!jumped) lines.push(line('-A', 'POSTROUTING', '-j', chain));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * Ensures a space's masquerade rules; unchanged rules rewrite nothing. Not serialised
 * (callers hold the egress queue). Returns whether anything was written.
 */
export async function syncSpaceMasquerade(
  ctx: EgressContext,
  p: { tag: string; subnet: string; bridge: string; what: string },
): Promise<boolean> {
  const script = renderMasqueradeSync(
    ctx,
    await readTable('nat', ctx.tables),
    p.tag,
    renderMasqueradeRules(p.subnet, p.bridge, p.tag),
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
  const t = await readTable('nat', ctx.tables);
  const doomed = t.rules.filter((r) => tags.includes(masqueradeTag(ctx, r) ?? '\u0000'));
  if (doomed.length > 0) {
    const script = ['*nat', ...doomed.map((r) => line('-D', r.chain, ...r.args)), 'COMMIT', ''].join('\n');
    await restoreNoflush(script, `masquerade rules ${doomed.map((r) => r.comment).join(', ')}`);
    ctx.log.info(
      { chain: ctx.postroutingChain, rules: doomed.map((r) => r.comment) },
      'space masquerade removed',
    );
  }
  await prunePostrouting(ctx);
  return [...new Set(doomed.map((r) => masqueradeTag(ctx, r) ?? ''))];
}

/** Removes the postrouting chain (and its jump) when it holds no rule at all. Not serialised. */
export async function prunePostrouting(ctx: EgressContext): Promise<boolean> {
  const t = await readTable('nat', ctx.tables);
  if (!t.chains.includes(ctx.postroutingChain)) return false;
  if (t.rules.some((r) => r.chain === ctx.postroutingChain)) return false;
  return removeChain('nat', ctx.postroutingChain, t);
}

/** The tags of masquerade rules in our chain whose space is not in `liveTags`. */
export async function listMasqueradeOrphans(
  ctx: EgressContext,
  liveTags: ReadonlySet<string>,
): Promise<string[]> {
  const t = await readTable('nat', ctx.tables);
  return [
    ...new Set(
      t.rules
        .map((r) => masqueradeTag(ctx, r))
        .filter((tag): tag is string => tag !== undefined && !liveTags.has(tag)),
    ),
  ].sort();
}
