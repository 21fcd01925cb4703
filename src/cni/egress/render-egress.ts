import type { ResolvedEgressPolicy } from './resolve-policy.js';

/** Arguments of one rule after `-A <chain>`. */
export type RuleArgs = string[];

/**
 * The rules of a space chain, in order: return traffic, one rule per allow
 * destination (per port and protocol when ports are given), then the terminal verdict. Port rules
 * cover TCP and UDP: TCP-only (the original) silently blocked UDP services such as DNS that a
 * policy names by port.
 */
export function renderSpaceChain(policy: ResolvedEgressPolicy, tag: string): RuleArgs[] {
  const rules: RuleArgs[] = [
    [
      '-m',
      'conntrack',
      '--ctstate',
      'RELATED,ESTABLISHED',
      '-m',
      'comment',
      '--comment',
      `${tag}:established`,
      '-j',
      'ACCEPT',
    ],
  ];
  for (const r of policy.rules) {
    const comment = ['-m', 'comment', '--comment', `${tag}:allow[${r.index}]:${r.label}`];
    for (const dst of r.destinations) {
      if (r.ports.length === 0) {
        rules.push(['-d', dst, ...comment, '-j', 'ACCEPT']);
        continue;
      }
      for (const port of r.ports) {
        for (const proto of ['tcp', 'udp']) {
          rules.push([
            '-d',
            dst,
            '-p',
            proto,
            '-m',
            proto,
            '--dport',
            String(port),
            ...comment,
            '-j',
            'ACCEPT',
          ]);
        }
      }
    }
  }
  rules.push([
    '-m',
    'comment',
    '--comment',
    `${tag}:default`,
    '-j',
    policy.default === 'deny' ? 'DROP' : 'ACCEPT',
  ]);
  return rules;
}

/**
 * The host isolation chain of a `deny` space (docs/host-isolation.md), jumped from the input
 * chain for traffic a cell sends to the host itself: return traffic, the policy's allow rules
 * and DNS (UDP and TCP 53) to the cells' nameservers go back to `INPUT` (`RETURN`: the host's own
 * firewall still decides), everything else is dropped. Never `ACCEPT`: being first in `INPUT`
 * must not open the host past its firewall.
 */
export function renderHostChain(
  policy: ResolvedEgressPolicy,
  tag: string,
  nameservers: readonly string[],
): RuleArgs[] {
  const hostTag = `${tag}:host`;
  const returns = renderSpaceChain({ ...policy, default: 'deny' }, hostTag)
    .slice(0, -1)
    .map((r) => [...r.slice(0, -1), 'RETURN']);
  const dns = [...new Set(nameservers)]
    .filter((n) => /^\d{1,3}(\.\d{1,3}){3}$/.test(n))
    .flatMap((n) =>
      ['udp', 'tcp'].map((proto) => [
        '-d',
        `${n}/32`,
        '-p',
        proto,
        '-m',
        proto,
        '--dport',
        '53',
        '-m',
        'comment',
        '--comment',
        `${hostTag}:dns`,
        '-j',
        'RETURN',
      ]),
    );
  return [...returns, ...dns, ['-m', 'comment', '--comment', `${hostTag}:default`, '-j', 'DROP']];
}

/**
 * The rules of a space chain for traffic that leaves the space's bridge through the host's routing
 * back onto the same bridge (docs/cell-isolation.md), placed right after the return-traffic rule.
 * With `isolation: cells`, only connections a published port translated pass (portmap's DNAT:
 * another cell through `<host address>:<hostPort>`); the rest is dropped — a cell that routes a
 * neighbour's address through its gateway does not get past the bridge's port isolation that
 * way. Without isolation a `deny` space still lets its cells reach each other (on hosts where
 * br_netfilter passes bridged frames through FORWARD too, as it does when Docker is installed);
 * an admitting space needs no rule.
 */
export function renderCellRules(
  bridge: string,
  tag: string,
  isolation: 'none' | 'cells',
  policyDefault: 'allow' | 'deny',
): RuleArgs[] {
  const rule = (role: string, target: string, ...match: string[]): RuleArgs => [
    '-o',
    bridge,
    ...match,
    '-m',
    'comment',
    '--comment',
    `${tag}:cells:${role}`,
    '-j',
    target,
  ];
  if (isolation === 'cells')
    return [rule('published', 'ACCEPT', '-m', 'conntrack', '--ctstate', 'DNAT'), rule('isolated', 'DROP')];
  return policyDefault === 'deny' ? [rule('open', 'ACCEPT')] : [];
}

/** The rule in the top-level chain that sends a bridge's traffic to its space chain. */
export function renderDispatchRule(bridge: string, tag: string, chain: string): RuleArgs {
  return ['-i', bridge, '-m', 'comment', '--comment', `${tag}:dispatch`, '-j', chain];
}

/** The forward admission rules: return traffic and traffic towards a bridge. */
export function renderForwardChain(bridgeWildcard: string): RuleArgs[] {
  return [
    [
      '-m',
      'conntrack',
      '--ctstate',
      'RELATED,ESTABLISHED',
      '-m',
      'comment',
      '--comment',
      'kukeon-forward:established',
      '-j',
      'ACCEPT',
    ],
    [
      '!',
      '-i',
      bridgeWildcard,
      '-o',
      bridgeWildcard,
      '-m',
      'comment',
      '--comment',
      'kukeon-forward:ingress',
      '-j',
      'ACCEPT',
    ],
  ];
}

/** Quotes one token for iptables-restore input (its parser knows double quotes and backslashes). */
export function quoteToken(token: string): string {
  if (token !== '' && !/[\s"'\\]/.test(token)) return token;
  return `"${token.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * An `iptables-restore --noflush` script for the filter table that replaces `chain` (declaring a
 * chain flushes it, creating it if missing) with `rules`, and appends `extra` rules to other
 * chains — all in one transaction, so no packet ever sees the chain half-filled.
 */
export function renderChainReplacement(
  chain: string,
  rules: readonly RuleArgs[],
  extra: readonly { chain: string; args: RuleArgs }[] = [],
): string {
  const lines = ['*filter', `:${chain} - [0:0]`];
  for (const r of rules) lines.push(['-A', chain, ...r].map(quoteToken).join(' '));
  for (const e of extra) lines.push(['-A', e.chain, ...e.args].map(quoteToken).join(' '));
  lines.push('COMMIT', '');
  return lines.join('\n');
}
