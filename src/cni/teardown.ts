import { ErrorCode } from '../error-codes.js';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../errors.js';
import { describeConflist, readConflist } from './conflist.js';
import type { CniContext } from './cni-context.js';
import { deleteLink, listLinks } from './ip-link.js';
import { pruneHostportChains } from './hostport-chains.js';
import { cniChains, isDnatChain, readTable, removeChain } from './iptables.js';
import { networkIpamDir } from './ipam-leases.js';
import { listCacheEntries } from './result-cache.js';
import { assertNetworkName } from './validate.js';

export interface TeardownParams {
  networkName: string;
  /** The space conflist; removed only if its `name` is this network. */
  conflistPath?: string;
  /** Used when the conflist is gone or names no bridge. */
  bridgeName?: string;
}

export interface TeardownReport {
  network: string;
  bridge?: string;
  conflistRemoved: boolean;
  /** Host ends of veths still enslaved to the bridge, deleted before it. */
  vethsRemoved: string[];
  bridgeRemoved: boolean;
  chainsRemoved: string[];
  ipamDirRemoved: boolean;
  cacheFilesRemoved: string[];
  /** Steps that failed (best effort: the others still ran). */
  errors: { step: string; error: unknown }[];
}

/**
 * Removes everything a space network left on the host (and what it leaves out):
 * veths still on the bridge, the bridge, the masquerade chains of every attachment of the
 * network (found by the plugins' `name: "<network>"` comment, so a network whose name merely
 * shares a prefix is untouched), the network's IPAM directory, its result-cache entries (matched
 * on the entry's network name, not on a file-name substring) and the conflist. Best effort.
 */
export async function teardownNetwork(ctx: CniContext, p: TeardownParams): Promise<TeardownReport> {
  assertNetworkName(p.networkName);
  const report: TeardownReport = {
    network: p.networkName,
    conflistRemoved: false,
    vethsRemoved: [],
    bridgeRemoved: false,
    chainsRemoved: [],
    ipamDirRemoved: false,
    cacheFilesRemoved: [],
    errors: [],
  };
  const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      report.errors.push({ step: name, error });
      ctx.log.warn({ err: error, network: p.networkName, step: name }, 'CNI teardown step failed');
    }
  };

  let bridge = p.bridgeName;
  let ipamDir = ctx.ipamDir;
  let conflistIsOurs = false;
  if (p.conflistPath) {
    try {
      const { list } = await readConflist(p.conflistPath);
      if (list.name === p.networkName) {
        conflistIsOurs = true;
        const info = describeConflist(list);
        bridge = info.bridge ?? bridge;
        ipamDir = info.ipamDataDir ?? ipamDir;
      }
    } catch (err) {
      if (!hasCode(err, ErrorCode.CNI_NETWORK_NOT_FOUND))
        report.errors.push({ step: 'read-conflist', error: err });
    }
  }
  report.bridge = bridge;

  if (bridge) {
    const b = bridge;
    await step('links', async () => {
      const links = await listLinks();
      for (const l of links.filter((l) => l.master === b && l.kind === 'veth')) {
        if (await deleteLink(l.name)) report.vethsRemoved.push(l.name);
      }
      if (links.some((l) => l.name === b && l.kind === 'bridge')) report.bridgeRemoved = await deleteLink(b);
    });
  }
  await step('iptables', async () => {
    const nat = await readTable('nat');
    for (const c of cniChains(nat).filter((c) => c.network === p.networkName)) {
      if (await removeChain('nat', c.chain)) report.chainsRemoved.push(c.chain);
    }
    if (report.chainsRemoved.some(isDnatChain)) await pruneHostportChains(ctx.log);
  });
  await step('ipam', async () => {
    const dir = networkIpamDir(ipamDir, p.networkName);
    const existed = await rm(dir, { recursive: true }).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
    report.ipamDirRemoved = existed;
  });
  await step('cache', async () => {
    for (const { path, entry } of await listCacheEntries(ctx.cacheDir)) {
      if (entry.networkName !== p.networkName) continue;
      await rm(path, { force: true });
      report.cacheFilesRemoved.push(path);
    }
  });
  if (p.conflistPath && conflistIsOurs) {
    const path = p.conflistPath;
    await step('conflist', async () => {
      await rm(path);
      report.conflistRemoved = true;
    });
  }
  return report;
}

/**
 * teardownRealmCNI: every space directory under `<confDir>/<realm>/` holding a
 * `network.conflist` is torn down as the network that conflist names. Networks are found from
 * their own conflists, never by a `<realm>-` name prefix (which would catch realm `<realm>-2`).
 */
export async function teardownRealmNetworks(ctx: CniContext, realm: string): Promise<TeardownReport[]> {
  const realmDir = join(ctx.confDir, realm);
  let entries;
  try {
    entries = await readdir(realmDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const reports: TeardownReport[] = [];
  for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const conflistPath = join(realmDir, e.name, 'network.conflist');
    let name: string;
    try {
      name = (await readConflist(conflistPath)).list.name;
    } catch {
      continue;
    }
    reports.push(await teardownNetwork(ctx, { networkName: name, conflistPath }));
  }
  return reports;
}
