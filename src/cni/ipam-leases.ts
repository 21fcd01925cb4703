import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/** A lease file as last read, with what tells whether it is still the same file. */
interface SeenLease {
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  lease: Lease;
}

/** Lease files already read: per network directory, by file name (docs/cni.md, "IPAM leases"). */
const seen = new Map<string, Map<string, SeenLease>>();

/**
 * host-local leases of a network: files named by IP, content `<containerID>\r\n<ifName>`.
 *
 * Called on every cell start (is something left of an earlier attachment?), so with n cells in
 * a space a mass apply reads n² files. The directory is therefore read with synchronous calls
 * (local metadata, microseconds each, where each promise-based open/stat/read/close cost ≈ 0.5
 * ms of the daemon's loop), and a file whose inode and times are unchanged is not read again:
 * host-local creates a lease file exclusively, writes it once and removes it on release, so an
 * unchanged file has unchanged content.
 */
export async function listLeases(ipamDir: string, networkName: string): Promise<Lease[]> {
  const dir = networkIpamDir(ipamDir, networkName);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    seen.delete(dir);
    return [];
  }
  const before = seen.get(dir);
  const now = new Map<string, SeenLease>();
  const out: Lease[] = [];
  for (const name of names.sort()) {
    if (RESERVED.has(name) || name.startsWith('last_reserved_ip')) continue;
    const kept = readLease(`${dir}/${name}`, name, before?.get(name));
    if (!kept) continue;
    now.set(name, kept);
    out.push(kept.lease);
  }
  seen.set(dir, now);
  return out;
}

function readLease(path: string, ip: string, kept: SeenLease | undefined): SeenLease | undefined {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isFile()) return undefined;
    if (kept && kept.ino === st.ino && kept.mtimeNs === st.mtimeNs && kept.ctimeNs === st.ctimeNs)
      return kept;
    const [id = '', ifName = ''] = readFileSync(path, 'utf8').split(/\r?\n/);
    const lease = { ip, containerId: id.trim(), ifName: ifName.trim(), path };
    return { ino: st.ino, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, lease };
  } catch {
    return undefined; // raced with a release
  }
}

/**
 * Releases by hand the leases of a container at known addresses (its cached ADD result's): one
 * file each, where releaseLeases reads the whole directory. Returns the released IPs.
 */
export async function releaseLeasesAt(
  ipamDir: string,
  networkName: string,
  containerId: string,
  ips: readonly string[],
): Promise<string[]> {
  const dir = networkIpamDir(ipamDir, networkName);
  const released: string[] = [];
  for (const ip of ips) {
    if (RESERVED.has(ip) || ip.startsWith('last_reserved_ip') || ip.includes('/')) continue;
    const path = join(dir, ip);
    const id = await readFile(path, 'utf8').then(
      (text) => text.split(/\r?\n/)[0].trim(),
      () => undefined,
    );
    if (id !== containerId) continue;
    await rm(path, { force: true });
    released.push(ip);
  }
  return released;
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
