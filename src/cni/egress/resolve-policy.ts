import { ErrorCode } from '../../error-codes.js';
import { checkEgressPolicy, normaliseEgressPolicy } from '../../api/index.js';
import type { EgressPolicy } from '../../model/resources.js';
import type { HostResolver } from './egress-context.js';
import { EgressError } from './egress-errors.js';

/** One allow rule with its destinations known: CIDRs as given, host names as `<ip>/32`. */
export interface ResolvedAllowRule {
  /** Position in the policy's allow list (the comment says `allow[i]`). */
  index: number;
  /** `host=<name>` or `cidr=<cidr>`, as the comment shows it. */
  label: string;
  destinations: string[];
  /** Sorted, unique; empty = every port and protocol. */
  ports: number[];
}

export interface ResolvedEgressPolicy {
  default: 'allow' | 'deny';
  rules: ResolvedAllowRule[];
}

/**
 * `10.0.0.5/24` → `10.0.0.0/24`: the form iptables stores, so an unchanged policy compares equal
 * to the installed chain and is not rewritten on every ensure.
 */
export function canonicalCidr(cidr: string): string {
  const [addr, bits] = cidr.split('/');
  const prefix = Number(bits);
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefix}`;
}

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Validates a stored policy and resolves its host rules (IPv4 only) — all before anything on the
 * host changes, so a bad policy or a failed lookup leaves the rules in force untouched
 * (docs/egress.md). No policy at all is the admit-all policy.
 */
export async function resolveEgressPolicy(
  policy: EgressPolicy | undefined,
  resolve: HostResolver,
): Promise<ResolvedEgressPolicy> {
  const problem = checkEgressPolicy(policy);
  if (problem) throw new EgressError(ErrorCode.EGRESS_INVALID_POLICY, problem);
  const p = normaliseEgressPolicy(policy);
  const rules: ResolvedAllowRule[] = [];
  for (const [index, r] of p.allow.entries()) {
    if (r.cidr) {
      rules.push({ index, label: `cidr=${r.cidr}`, destinations: [canonicalCidr(r.cidr)], ports: r.ports });
      continue;
    }
    const host = r.host as string;
    let addrs: string[];
    try {
      addrs = await resolve(host);
    } catch (cause) {
      throw new EgressError(
        ErrorCode.EGRESS_RESOLVE_FAILED,
        `egress allow rule ${index}: cannot resolve host "${host}": ${(cause as Error).message ?? cause}`,
        { cause },
      );
    }
    const v4 = [...new Set(addrs.filter((a) => ipv4Re.test(a)))].sort();
    if (v4.length === 0) {
      throw new EgressError(
        ErrorCode.EGRESS_RESOLVE_FAILED,
        `egress allow rule ${index}: host "${host}" has no IPv4 address`,
      );
    }
    rules.push({ index, label: `host=${host}`, destinations: v4.map((a) => `${a}/32`), ports: r.ports });
  }
  return { default: p.default, rules };
}
