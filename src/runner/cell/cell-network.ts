import { readFile } from 'node:fs/promises';
import {
  attachNetwork,
  cacheFilePath,
  detachNetwork,
  listLeases,
  readCacheEntry,
  spaceNetworkRef,
  type Attachment,
  type DetachReport,
} from '../../cni/index.js';
import { renderEtcHostname, renderEtcHosts, renderResolvConf, writeEtcFileInPlace } from '../oci/index.js';
import type { RunnerContext } from '../runner-context.js';
import { cellFiles, type CellRef } from './cell-ref.js';

/** CNI ADD of the root's network namespace to the space network; returns the cell's address. */
export async function attachCell(ctx: RunnerContext, ref: CellRef, rootPid: number): Promise<Attachment> {
  const net = spaceNetworkRef(ctx.cni, ref.realm, ref.space);
  return attachNetwork(ctx.cni, {
    conflist: net.conflistPath,
    containerId: ref.rootContainerdId,
    netns: `/proc/${rootPid}/ns/net`,
  });
}

/**
 * CNI DEL for the root only (workloads share its namespace: a DEL for one of them would take the
 * whole cell's network down — spec 02 §12 item 3), with the fallback cleanup of leases and
 * chains when the namespace is already gone. Never throws for host state.
 */
export async function detachCell(ctx: RunnerContext, ref: CellRef, rootPid?: number): Promise<DetachReport> {
  const net = spaceNetworkRef(ctx.cni, ref.realm, ref.space);
  const report = await detachNetwork(ctx.cni, {
    networkName: net.networkName,
    conflist: net.conflistPath,
    containerId: ref.rootContainerdId,
    netns: rootPid ? `/proc/${rootPid}/ns/net` : '',
  });
  if (report.del === 'failed')
    ctx.log.warn(
      { err: report.delError, cell: ref.scope.join('/') },
      'CNI DEL failed; leases released by hand',
    );
  return report;
}

/**
 * Whether the root has anything left of an earlier attachment (a cached ADD result or an IPAM
 * lease): only then is a cleaning DEL needed before a new ADD. Skipping it otherwise saves a
 * full plugin DEL on every start.
 */
export async function hasAttachmentState(ctx: RunnerContext, ref: CellRef): Promise<boolean> {
  const net = spaceNetworkRef(ctx.cni, ref.realm, ref.space);
  const rt = { containerId: ref.rootContainerdId, ifName: 'eth0' };
  if (await readCacheEntry(cacheFilePath(ctx.cni.cacheDir, net.networkName, rt))) return true;
  return (await listLeases(ctx.cni.ipamDir, net.networkName)).some(
    (l) => l.containerId === ref.rootContainerdId,
  );
}

async function hostResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  // systemd-resolved hosts list only 127.0.0.53, which cannot answer inside a cell's netns.
  if (/^\s*nameserver\s+(?!127\.)/m.test(text)) return text;
  return readFile('/run/systemd/resolve/resolv.conf', 'utf8').catch(() => text);
}

/**
 * The cell's /etc/hosts, /etc/hostname and /etc/resolv.conf sources, bind-mounted read-only into
 * every container. Rewritten in place (same inode) so running containers see the cell IP.
 */
export async function writeCellEtcFiles(ctx: RunnerContext, ref: CellRef, ip?: string): Promise<void> {
  writeEtcFileInPlace(cellFiles.hosts(ref), renderEtcHosts({ ip, hostname: ref.id }));
  writeEtcFileInPlace(cellFiles.hostname(ref), renderEtcHostname(ref.id));
  writeEtcFileInPlace(cellFiles.resolvConf(ref), renderResolvConf(await hostResolvConf()));
}
