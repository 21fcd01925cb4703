import { parseIpv4Cidr, type Ipv4Cidr } from '../model/naming/index.js';
import { runCommand } from './host-command.js';

/** An IPv4 network the host already uses: the subnet of one of its addresses, or a route. */
export interface HostNetwork {
  network: Ipv4Cidr;
  /** For log lines and errors: `address 10.88.0.1/16 on podman0`, `route 10.89.0.0/16 dev tun0`. */
  source: string;
}

/** The network `address/prefix` lies in (host bits cleared); undefined for anything that is not IPv4. */
export function networkOf(address: string, prefix: number): Ipv4Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const a = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (a & mask) >>> 0, prefix };
}

/** Whether two networks share any address (one contains the other). */
export function networksOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
  return (a.network & mask) >>> 0 === (b.network & mask) >>> 0;
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

interface IpRouteJson {
  dst?: string;
  dev?: string;
  type?: string;
}

/** The networks of `ip -j -4 addr show` (each address's subnet; loopback included). */
export function parseAddresses(json: string): HostNetwork[] {
  const out: HostNetwork[] = [];
  for (const link of JSON.parse(json || '[]') as IpAddrJson[]) {
    for (const a of link.addr_info ?? []) {
      if (a.family !== 'inet' || !a.local || a.prefixlen === undefined) continue;
      const network = networkOf(a.local, a.prefixlen);
      if (network)
        out.push({ network, source: `address ${a.local}/${a.prefixlen} on ${link.ifname ?? '?'}` });
    }
  }
  return out;
}

/**
 * The destinations of `ip -j -4 route show` (main table). The default route is left out: it
 * overlaps everything and says nothing about which addresses are taken.
 */
export function parseRoutes(json: string): HostNetwork[] {
  const out: HostNetwork[] = [];
  for (const r of JSON.parse(json || '[]') as IpRouteJson[]) {
    if (!r.dst || r.dst === 'default' || (r.type && r.type !== 'unicast')) continue;
    const [addr, prefix] = r.dst.split('/');
    const network = networkOf(addr, prefix === undefined ? 32 : Number(prefix));
    if (network) out.push({ network, source: `route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` });
  }
  return out;
}

/** Every IPv4 address subnet and route of the host, read with iproute2's JSON output. */
export async function readHostNetworks(): Promise<HostNetwork[]> {
  const [addr, route] = await Promise.all([
    runCommand('ip', ['-j', '-4', 'addr', 'show']),
    runCommand('ip', ['-j', '-4', 'route', 'show']),
  ]);
  if (addr.code !== 0) throw new Error(`ip -j -4 addr show exited ${addr.code}: ${addr.stderr.trim()}`);
  if (route.code !== 0) throw new Error(`ip -j -4 route show exited ${route.code}: ${route.stderr.trim()}`);
  return [...parseAddresses(addr.stdout), ...parseRoutes(route.stdout)];
}

/**
 * The allocator's hook (SubnetAllocatorOptions.hostConflicts): reads the host once and answers,
 * per candidate subnet, what of the host's overlaps it (undefined when nothing does).
 */
export async function hostNetworkConflicts(): Promise<(subnet: string) => string | undefined> {
  const host = await readHostNetworks();
  return (subnet) => {
    const cidr = parseIpv4Cidr(subnet);
    if (!cidr) return undefined;
    return host.find((h) => networksOverlap(h.network, cidr))?.source;
  };
}
