/**
 * Space egress policy rules. The original checks them only when the space is
 * provisioned (an invalid policy fails space creation); we also check at parse time so a bad policy
 * rejects the stream before anything is touched. `normaliseEgressPolicy` gives the form the
 * networking layer applies (default lower-cased, ports de-duplicated and sorted).
 */
import type { EgressPolicy } from '../../model/resources.js';

const cidrRe = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function isIPv4Cidr(s: string): boolean {
  const m = cidrRe.exec(s);
  if (!m) return false;
  return m.slice(1, 5).every((o) => Number(o) <= 255 && String(Number(o)) === o) && Number(m[5]) <= 32;
}

function checkHost(host: string): string | undefined {
  if (/[\s/]/.test(host)) return 'host must not contain whitespace or /';
  if (host.startsWith('.') || host.endsWith('.')) return 'host must not start or end with a dot';
  if (host.split('.').some((l) => l === '')) return 'host must not contain empty labels';
  return undefined;
}

/** Returns the first failing rule's message, or undefined. */
export function checkEgressPolicy(p: EgressPolicy | undefined): string | undefined {
  if (!p) return undefined;
  const def = (p.default ?? '').trim().toLowerCase();
  if (def !== '' && def !== 'allow' && def !== 'deny') return "egress default must be 'allow' or 'deny'";
  for (const [i, r] of (p.allow ?? []).entries()) {
    const prefix = `egress allow rule ${i}: `;
    const host = (r.host ?? '').trim();
    const cidr = (r.cidr ?? '').trim();
    if (host && cidr) return `${prefix}must not set both host and cidr`;
    if (!host && !cidr) return `${prefix}requires exactly one of host or cidr`;
    if (host) {
      const e = checkHost(host);
      if (e) return `${prefix}${e} (got "${host}")`;
    }
    if (cidr && !isIPv4Cidr(cidr)) return `${prefix}cidr "${cidr}" is not a valid IPv4 CIDR`;
    for (const port of r.ports ?? []) {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        return `${prefix}port ${port} out of range (1-65535)`;
    }
  }
  return undefined;
}

/** The applied form: default `allow`/`deny` (empty = allow), trimmed rules, sorted unique ports. */
export function normaliseEgressPolicy(p: EgressPolicy | undefined): {
  default: 'allow' | 'deny';
  allow: { host?: string; cidr?: string; ports: number[] }[];
} {
  const def = (p?.default ?? '').trim().toLowerCase() === 'deny' ? 'deny' : 'allow';
  return {
    default: def,
    allow: (p?.allow ?? []).map((r) => ({
      ...(r.host?.trim() ? { host: r.host.trim() } : {}),
      ...(r.cidr?.trim() ? { cidr: r.cidr.trim() } : {}),
      ports: [...new Set(r.ports ?? [])].sort((a, b) => a - b),
    })),
  };
}
