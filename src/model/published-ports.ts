/**
 * Published ports of a cell (docs/networking-ports.md): each container's `ports` entries in
 * Docker's short syntax `[hostIP:]hostPort:containerPort[/tcp|/udp]`. All containers of a cell
 * share the root's network namespace, so the cell publishes the union of its containers' ports.
 */

export type PortProtocol = 'tcp' | 'udp';

export interface PublishedPort {
  /** IPv4 address the host port is bound to; `''` = every host address. */
  hostIP: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

const SHAPE = '[hostIP:]hostPort:containerPort[/tcp|/udp]';

function parsePortNumber(text: string, what: string): number | string {
  if (!/^\d{1,5}$/.test(text)) return `${what} "${text}" is not a port number`;
  const n = Number(text);
  if (n < 1 || n > 65535) return `${what} ${n} out of range (1-65535)`;
  return n;
}

function validIpv4(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')));
}

/** Parses one entry; returns the port or a message (without the container prefix). */
export function parsePublishedPort(raw: string): PublishedPort | string {
  const text = raw.trim();
  const bad = `"${raw}" is not ${SHAPE}`;
  let rest = text;
  let protocol: PortProtocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1);
    if (p !== 'tcp' && p !== 'udp') return `"${raw}": protocol "${p}" is not tcp or udp`;
    protocol = p;
    rest = rest.slice(0, slash);
  }
  if (rest.startsWith('[')) return `"${raw}": IPv6 host addresses are not supported (cells get IPv4 only)`;
  const parts = rest.split(':');
  if (parts.length < 2 || parts.length > 3) {
    return parts.length === 1 ? `${bad} (a host port is required)` : bad;
  }
  if (parts.some((p) => p.includes('-'))) return `"${raw}": port ranges are not supported`;
  const hostIP = parts.length === 3 ? parts[0] : '';
  if (parts.length === 3 && !validIpv4(hostIP))
    return `"${raw}": host address "${hostIP}" is not an IPv4 address`;
  const hostPort = parsePortNumber(parts[parts.length - 2], 'host port');
  if (typeof hostPort === 'string') return `"${raw}": ${hostPort}`;
  const containerPort = parsePortNumber(parts[parts.length - 1], 'container port');
  if (typeof containerPort === 'string') return `"${raw}": ${containerPort}`;
  return { hostIP: hostIP === '0.0.0.0' ? '' : hostIP, hostPort, containerPort, protocol };
}

/** `0.0.0.0:8080->80/tcp`, as `docker ps` shows a mapping. */
export function formatPublishedPort(p: PublishedPort): string {
  return `${p.hostIP || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`;
}

/** Whether two mappings claim the same host socket (an all-addresses binding overlaps every address). */
export function portsClash(a: PublishedPort, b: PublishedPort): boolean {
  return (
    a.protocol === b.protocol &&
    a.hostPort === b.hostPort &&
    (!a.hostIP || !b.hostIP || a.hostIP === b.hostIP)
  );
}

export interface PortsOwner {
  id: string;
  ports?: readonly string[];
}

/** One published port with the container that lists it. */
export interface OwnedPort extends PublishedPort {
  container: string;
}

/**
 * The cell's published ports (every container's, in container then entry order), or the first
 * problem: an entry that does not parse, or two entries claiming the same host port.
 */
export function cellPublishedPorts(containers: readonly PortsOwner[]): OwnedPort[] | string {
  const out: OwnedPort[] = [];
  for (const c of containers) {
    for (const [i, raw] of (c.ports ?? []).entries()) {
      const p = parsePublishedPort(raw);
      if (typeof p === 'string') return `container "${c.id}": ports[${i}] ${p}`;
      const twin = out.find((o) => portsClash(o, p));
      if (twin) {
        const where =
          twin.container === c.id ? `container "${c.id}"` : `containers "${twin.container}" and "${c.id}"`;
        return `container "${c.id}": ports[${i}] "${raw}": host port ${p.hostPort}/${p.protocol} is published twice in the cell (${where})`;
      }
      out.push({ ...p, container: c.id });
    }
  }
  return out;
}

/** Like cellPublishedPorts for a model that was validated on the way in: throws on a bad entry. */
export function cellPorts(containers: readonly PortsOwner[]): OwnedPort[] {
  const r = cellPublishedPorts(containers);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** A stable key of a cell's port set, to tell whether an update changes what the cell publishes. */
export function portSetKey(containers: readonly PortsOwner[]): string {
  const r = cellPublishedPorts(containers);
  if (typeof r === 'string') return `invalid:${r}`;
  return r.map(formatPublishedPort).sort().join(',');
}
