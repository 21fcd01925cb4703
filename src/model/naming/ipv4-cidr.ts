/** A parsed IPv4 CIDR: network address as an unsigned 32-bit integer, and prefix length. */
export interface Ipv4Cidr {
  network: number;
  prefix: number;
}

/**
 * Parses `a.b.c.d/n`. Returns undefined for anything else, including host bits set
 * (`10.88.0.1/16`), so callers can decide how loudly to complain.
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  if ((address & ~prefixMask(prefix)) >>> 0 !== 0) return undefined;
  return { network: address, prefix };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  const a = cidr.network;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${cidr.prefix}`;
}

/** True when `inner` lies entirely within `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.network & prefixMask(outer.prefix)) >>> 0 === outer.network;
}

function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
