import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeConflist, readConflist } from './conflist.js';
import type { CniContext } from './cni-context.js';
import { deleteLink, listLinks } from './ip-link.js';
import { pruneHostportChains } from './hostport-chains.js';
import { cniChains, isDnatChain, readTable, removeChain, type CniChain } from './iptables.js';
import { listLeases, readIpamMarker } from './ipam-leases.js';
import { listCacheEntries } from './result-cache.js';
import { teardownNetwork } from './teardown.js';

/** A network that should exist (its space is live), with the bridge it owns. */
export interface LiveNetwork {
  name: string;
  bridge: string;
}

export interface OrphanReport {
  /** Bridges with our prefix that no live network owns. */
  bridges: string[];
  /** Our networks (IPAM marker or conflist under confDir) that are not live. */
  networks: { name: string; bridge?: string; conflistPath?: string }[];
  /** Lease directories (network names) of those networks. */
  ipamDirs: string[];
  /** Conflists under confDir that name a network that is not live. */
  conflists: { path: string; network: string }[];
  /**
   * Masquerade and portmap DNAT chains of our networks whose network is not live or whose
   * container holds no lease.
   */
  chains: CniChain[];
  /** Result-cache entries under the same rule as chains. */
  cacheFiles: { path: string; network: string; containerId: string }[];
}

/**
 * What kukeon left on the host that no live space accounts for — and only kukeon's: bridges by our
 * configured prefix (exact prefix, so `k-` never matches `kx-`), lease directories by the marker
 * attach drops into them (not by name prefix), conflists from our conf dir, chains and cache
 * entries by the exact network name they record.
 */
export async function listOrphans(ctx: CniContext, live: readonly LiveNetwork[]): Promise<OrphanReport> {
  const liveNames = new Set(live.map((n) => n.name));
  const liveBridges = new Set(live.map((n) => n.bridge));
  const report: OrphanReport = {
    bridges: [],
    networks: [],
    ipamDirs: [],
    conflists: [],
    chains: [],
    cacheFiles: [],
  };
  const ours = new Map<string, { name: string; bridge?: string; conflistPath?: string }>();

  for (const dir of await subdirs(ctx.ipamDir)) {
    const marker = await readIpamMarker(join(ctx.ipamDir, dir));
    if (!marker || marker.network !== dir || !marker.bridge.startsWith(ctx.bridgePrefix)) continue;
    ours.set(dir, { name: dir, bridge: marker.bridge });
    if (!liveNames.has(dir)) report.ipamDirs.push(dir);
  }
  for (const realm of await subdirs(ctx.confDir)) {
    for (const space of await subdirs(join(ctx.confDir, realm))) {
      const path = join(ctx.confDir, realm, space, 'network.conflist');
      let name: string;
      let bridge: string | undefined;
      try {
        const { list } = await readConflist(path);
        name = list.name;
        bridge = describeConflist(list).bridge;
      } catch {
        continue;
      }
      const known = ours.get(name);
      ours.set(name, { name, bridge: bridge ?? known?.bridge, conflistPath: path });
      if (!liveNames.has(name)) report.conflists.push({ path, network: name });
    }
  }
  for (const n of live) ours.set(n.name, { name: n.name, bridge: n.bridge });
  report.networks = [...ours.values()]
    .filter((n) => !liveNames.has(n.name))
    .sort((a, b) => a.name.localeCompare(b.name));

  for (const l of await listLinks()) {
    if (l.kind === 'bridge' && l.name.startsWith(ctx.bridgePrefix) && !liveBridges.has(l.name))
      report.bridges.push(l.name);
  }

  const leaseHolders = new Map<string, Set<string>>();
  const holds = async (network: string, containerId: string): Promise<boolean> => {
    let set = leaseHolders.get(network);
    if (!set) {
      set = new Set((await listLeases(ctx.ipamDir, network)).map((l) => l.containerId));
      leaseHolders.set(network, set);
    }
    return set.has(containerId);
  };
  const orphaned = async (network: string, containerId: string): Promise<boolean> =>
    ours.has(network) && (!liveNames.has(network) || !(await holds(network, containerId)));

  for (const c of cniChains(await readTable('nat'))) {
    if (await orphaned(c.network, c.containerId)) report.chains.push(c);
  }
  for (const { path, entry } of await listCacheEntries(ctx.cacheDir)) {
    if (await orphaned(entry.networkName, entry.containerId)) {
      report.cacheFiles.push({ path, network: entry.networkName, containerId: entry.containerId });
    }
  }
  return report;
}

/** Removes what listOrphans found: whole networks via teardownNetwork, then the leftovers. */
export async function purgeOrphans(ctx: CniContext, report: OrphanReport): Promise<{ errors: unknown[] }> {
  const errors: unknown[] = [];
  for (const n of report.networks) {
    const r = await teardownNetwork(ctx, {
      networkName: n.name,
      conflistPath: n.conflistPath,
      bridgeName: n.bridge,
    });
    errors.push(...r.errors.map((e) => e.error));
  }
  const attempt = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };
  if (report.bridges.length) {
    const links = await listLinks();
    for (const b of report.bridges) {
      for (const l of links.filter((l) => l.master === b && l.kind === 'veth'))
        await attempt(() => deleteLink(l.name));
      await attempt(() => deleteLink(b));
    }
  }
  for (const c of report.chains) await attempt(() => removeChain('nat', c.chain));
  if (report.chains.some((c) => isDnatChain(c.chain))) await pruneHostportChains(ctx.log);
  for (const f of report.cacheFiles) await attempt(() => rm(f.path, { force: true }));
  return { errors };
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
