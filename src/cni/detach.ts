import { ErrorCode } from '../error-codes.js';
import { hasCode } from '../errors.js';
import { describeConflist, hasPerCellMasquerade, parseConflist, readConflist } from './conflist.js';
import type { CniContext } from './cni-context.js';
import { pruneHostportChains } from './hostport-chains.js';
import { dnatChainName, masqChainName, readTable, removeChain } from './iptables.js';
import { releaseLeases, releaseLeasesAt } from './ipam-leases.js';
import { sanitizeNetnsForDel } from './netns.js';
import { cacheFilePath, readCacheEntry, removeCacheEntry, type CacheEntry } from './result-cache.js';
import type { NetConfList, RuntimeConf } from './types.js';
import { assertContainerId, assertIfName, assertNetworkName } from './validate.js';

export interface DetachParams {
  networkName: string;
  /** The conflist or its path; when absent or gone, the config cached by the ADD is used. */
  conflist?: NetConfList | string;
  containerId: string;
  /** May be empty or point to a namespace that no longer exists. */
  netns: string;
  ifName?: string;
  /**
   * The network itself is torn down right after (a space deleted with its cells: its bridge,
   * IPAM directory, chains and cache entries go with it): the plugins are run only for an
   * attachment that published ports (portmap's rules live in shared chains); otherwise the
   * lease and the cache entry are removed by hand at once, so a crash before the network's
   * teardown leaks no address (docs/cni.md, "Detaching").
   */
  networkGoing?: boolean;
}

export interface DetachReport {
  network: string;
  containerId: string;
  /**
   * What the plugin DEL did: ran cleanly, failed (see `delError`), had no config to run, or was
   * not run because nothing says this container is attached to a live netns (see detachNetwork).
   */
  del: 'ok' | 'failed' | 'skipped:config-not-found' | 'skipped:not-attached' | 'skipped:network-going';
  delError?: unknown;
  /** The netns handed to DEL and why it was blanked, if it was. */
  netns: string;
  netnsBlanked?: 'missing' | 'own-netns';
  /** Masquerade chain removed by the fallback sweep (the plugin leaves it when the netns is gone). */
  chainRemoved?: string;
  /** portmap's DNAT chain removed by the fallback sweep (a DEL that failed or never ran). */
  dnatChainRemoved?: string;
  /** Lease IPs the fallback released by hand (the plugin DEL normally leaves none). */
  leasesReleased: string[];
  /** A cached ADD result existed when detach started (it is gone afterwards either way). */
  hadCachedResult: boolean;
}

/**
 * CNI DEL of an attachment plus the fallback cleanup (docs/cni.md). Never throws for host
 * state (best effort, everything in the report); throws only for invalid arguments. Safe to run
 * twice, after the netns is gone, and after the conflist is gone. With a live netns the plugin DEL
 * runs only when the result cache records this attachment, so a DEL for another container ID
 * sharing the netns cannot remove the interface.
 */
export async function detachNetwork(ctx: CniContext, p: DetachParams): Promise<DetachReport> {
  const ifName = p.ifName ?? 'eth0';
  assertNetworkName(p.networkName);
  assertContainerId(p.containerId);
  assertIfName(ifName);
  const ns = await sanitizeNetnsForDel(p.netns);
  if (ns.reason === 'own-netns') ctx.log.warn({ netns: p.netns }, 'CNI DEL: netns is our own; using none');
  const rt: RuntimeConf = { containerId: p.containerId, netns: ns.netns, ifName };
  const list = await resolveList(ctx, p.networkName, p.conflist, rt);
  const cachedEntry = await readCacheEntry(cacheFilePath(ctx.cacheDir, p.networkName, rt));
  const hadCachedResult = cachedEntry !== undefined;
  const published = (cachedEntry?.capabilityArgs?.portMappings?.length ?? 0) > 0;
  const report: DetachReport = {
    network: p.networkName,
    containerId: p.containerId,
    del: 'skipped:config-not-found',
    netns: ns.netns,
    netnsBlanked: p.netns && ns.reason ? ns.reason : undefined,
    leasesReleased: [],
    hadCachedResult,
  };
  if (p.networkGoing && !published) {
    report.del = 'skipped:network-going';
  } else if (list && ns.netns && !hadCachedResult) {
    // The bridge plugin deletes `ifName` in the netns whatever the container ID: a DEL for a
    // container that never attached (a workload sharing the root's netns item 3, or a
    // repeated DEL) would take the cell's network down. Only the by-hand cleanup runs.
    report.del = 'skipped:not-attached';
  } else if (list) {
    try {
      await ctx.exec.delNetworkList(list, rt);
      report.del = 'ok';
    } catch (err) {
      report.del = 'failed';
      report.delError = err;
      ctx.log.warn(
        { err, network: p.networkName, containerId: p.containerId },
        'CNI DEL failed; cleaning up by hand',
      );
    }
  }
  const ipamDir = (list && describeConflist(list).ipamDataDir) || ctx.ipamDir;
  // With the netns alive the plugin's DEL found the addresses and removed the masquerade chain
  // itself (when the config it ran with masquerades per cell); only a DEL without a netns (or a
  // failed one) leaves it for the sweep. Skipping the check saves an iptables-save per detach.
  // An attachment made before the space masquerade rule (its cached config has ipMasq) but
  // deleted with today's conflist (without it) left its chain to us.
  const delCleanedChain =
    (report.del === 'skipped:network-going' && !addedWithPerCellMasquerade(cachedEntry)) ||
    (report.del === 'ok' &&
      ns.netns !== '' &&
      !(addedWithPerCellMasquerade(cachedEntry) && list && !hasPerCellMasquerade(list)));
  // host-local's own DEL released this attachment's leases (by container ID and interface): the
  // scan of every lease file of the network is for a DEL that failed or did not run.
  // Without the plugins, a cached result names the addresses: their files alone are looked at.
  const cachedIps =
    report.del === 'skipped:network-going'
      ? cachedEntry?.result?.ips?.map((c) => c.address.split('/')[0])
      : undefined;
  const swept = await sweep(ctx, p.networkName, ipamDir, rt, {
    chains: !delCleanedChain,
    leases: report.del === 'ok' ? 'none' : (cachedIps ?? 'all'),
  });
  report.chainRemoved = swept.chainRemoved;
  report.dnatChainRemoved = swept.dnatChainRemoved;
  report.leasesReleased = swept.leasesReleased;
  // The last published port gone takes portmap's shared chains with it.
  if (published || swept.dnatChainRemoved) await pruneHostportChains(ctx.log);
  return report;
}

/** Rollback/stale-cache cleanup used by attach: DEL (errors only logged) and the same sweep. */
export async function cleanupAttachment(ctx: CniContext, list: NetConfList, rt: RuntimeConf): Promise<void> {
  const ns = await sanitizeNetnsForDel(rt.netns);
  const delRt = { ...rt, netns: ns.netns };
  try {
    await ctx.exec.delNetworkList(list, delRt);
  } catch (err) {
    ctx.log.warn({ err, network: list.name, containerId: rt.containerId }, 'CNI DEL during cleanup failed');
  }
  const swept = await sweep(ctx, list.name, describeConflist(list).ipamDataDir ?? ctx.ipamDir, delRt);
  if (delRt.capabilityArgs?.portMappings?.length || swept.dnatChainRemoved)
    await pruneHostportChains(ctx.log);
}

async function sweep(
  ctx: CniContext,
  network: string,
  ipamDir: string,
  rt: RuntimeConf,
  what: { chains: boolean; leases: 'all' | 'none' | readonly string[] } = { chains: true, leases: 'all' },
): Promise<{ chainRemoved?: string; dnatChainRemoved?: string; leasesReleased: string[] }> {
  const out: { chainRemoved?: string; dnatChainRemoved?: string; leasesReleased: string[] } = {
    leasesReleased: [],
  };
  const chain = masqChainName(network, rt.containerId);
  const dnat = dnatChainName(network, rt.containerId);
  try {
    if (what.chains) {
      const nat = await readTable('nat');
      if (await removeChain('nat', chain, nat)) out.chainRemoved = chain;
      if (await removeChain('nat', dnat, nat)) out.dnatChainRemoved = dnat;
    }
  } catch (err) {
    ctx.log.warn({ err, chain }, 'masquerade/DNAT chain sweep failed');
  }
  try {
    if (what.leases === 'all')
      out.leasesReleased = await releaseLeases(ipamDir, network, rt.containerId, rt.ifName);
    else if (what.leases !== 'none')
      out.leasesReleased = await releaseLeasesAt(ipamDir, network, rt.containerId, what.leases);
  } catch (err) {
    ctx.log.warn({ err, network, containerId: rt.containerId }, 'IPAM lease release failed');
  }
  await removeCacheEntry(cacheFilePath(ctx.cacheDir, network, rt));
  return out;
}

/** Whether the ADD of a cached attachment ran with a bridge plugin that masquerades per cell. */
function addedWithPerCellMasquerade(entry: CacheEntry | undefined): boolean {
  if (!entry?.config) return false;
  try {
    return hasPerCellMasquerade(parseConflist(Buffer.from(entry.config, 'base64').toString('utf8')));
  } catch {
    return false;
  }
}

async function resolveList(
  ctx: CniContext,
  network: string,
  conflist: NetConfList | string | undefined,
  rt: RuntimeConf,
): Promise<NetConfList | undefined> {
  if (conflist && typeof conflist !== 'string') return conflist;
  if (conflist) {
    try {
      const { list } = await readConflist(conflist);
      if (list.name === network) return list;
      ctx.log.warn(
        { path: conflist, network, found: list.name },
        'conflist names another network; using the cached config',
      );
    } catch (err) {
      if (!hasCode(err, ErrorCode.CNI_NETWORK_NOT_FOUND))
        ctx.log.warn({ err, path: conflist }, 'cannot load conflist');
    }
  }
  // libcni caches the config used for ADD next to the result: DEL works without the conflist.
  const entry = await readCacheEntry(cacheFilePath(ctx.cacheDir, network, rt));
  if (!entry?.config) return undefined;
  try {
    return parseConflist(Buffer.from(entry.config, 'base64').toString('utf8'), 'cached CNI config');
  } catch {
    return undefined;
  }
}
