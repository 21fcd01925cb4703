import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNetworkName } from './validate.js';

/** The host-local lease directory of a network. */
export function networkIpamDir(ipamDir: string, networkName: string): string {
  assertNetworkName(networkName); // also keeps `..` and `/` out of the path we may rm -rf
  return join(ipamDir, networkName);
}

/**
 * Marker kukeon drops into a network's lease directory so that orphan listing can tell our
 * networks from other CNI users' in a shared `/var/lib/cni/networks` without guessing from
 * names (prefix matching purges other realms' networks). host-local only
 * reads files whose content is a container ID, so the marker is invisible to it.
 */
export const IPAM_MARKER = 'kukeon-network.json';

export interface IpamMarker {
  network: string;
  bridge: string;
  subnet: string;
}

export async function writeIpamMarker(ipamDir: string, m: IpamMarker): Promise<void> {
  const dir = networkIpamDir(ipamDir, m.network);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const path = join(dir, IPAM_MARKER);
  try {
    const cur = JSON.parse(await readFile(path, 'utf8')) as IpamMarker;
    if (cur.network === m.network && cur.bridge === m.bridge && cur.subnet === m.subnet) return;
  } catch {
    // missing or unreadable: (re)write it
  }
  await writeFile(path, JSON.stringify(m) + '\n', { mode: 0o600 });
}

export async function readIpamMarker(dir: string): Promise<IpamMarker | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, IPAM_MARKER), 'utf8')) as Partial<IpamMarker>;
    if (typeof m.network === 'string' && typeof m.bridge === 'string') {
      return { network: m.network, bridge: m.bridge, subnet: String(m.subnet ?? '') };
    }
  } catch {
    // not ours, or unreadable
  }
  return undefined;
}

export interface Lease {
  ip: string;
  containerId: string;
  ifName: string;
  path: string;
}

const RESERVED = new Set(['lock', IPAM_MARKER]);

/** host-local leases of a network: files named by IP, content `<containerID>\r\n<ifName>`. */
export async function listLeases(ipamDir: string, networkName: string): Promise<Lease[]> {
  const dir = networkIpamDir(ipamDir, networkName);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: Lease[] = [];
  for (const name of names.sort()) {
    if (RESERVED.has(name) || name.startsWith('last_reserved_ip')) continue;
    const path = join(dir, name);
    try {
      if (!(await stat(path)).isFile()) continue;
      const [id = '', ifName = ''] = (await readFile(path, 'utf8')).split(/\r?\n/);
      out.push({ ip: name, containerId: id.trim(), ifName: ifName.trim(), path });
    } catch {
      // raced with a release
    }
  }
  return out;
}

/**
 * Releases by hand the leases host-local holds for a container (fallback, for when
 * the plugin DEL cannot run): the files whose first line is the container ID (and, when given,
 * whose interface matches). Returns the released IPs.
 */
export async function releaseLeases(
  ipamDir: string,
  networkName: string,
  containerId: string,
  ifName?: string,
): Promise<string[]> {
  const released: string[] = [];
  for (const l of await listLeases(ipamDir, networkName)) {
    if (l.containerId !== containerId) continue;
    // Leases written by old host-local versions carry no interface; they belong to the container.
    if (ifName && l.ifName && l.ifName !== ifName) continue;
    await rm(l.path, { force: true });
    released.push(l.ip);
  }
  return released;
}
