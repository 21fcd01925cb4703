import { open } from 'node:fs/promises';
import {
  attachNetwork,
  cacheFilePath,
  detachNetwork,
  listLeases,
  readCacheEntry,
  setPortIsolation,
  spaceNetworkRef,
  wantsPortIsolation,
  type Attachment,
  type DetachReport,
} from '../../cni/index.js';
import type { Cell } from '../../model/resources.js';
import { cellPorts } from '../../model/published-ports.js';
import { isolatesCells } from '../../model/space-isolation.js';
import { readResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import { renderEtcHostname, renderEtcHosts, renderResolvConf, writeEtcFileInPlace } from '../oci/index.js';
import { hostResolvConf } from '../host-resolv-conf.js';
import type { RunnerContext } from '../runner-context.js';
import { cellFiles, type CellRef } from './cell-ref.js';

/**
 * CNI ADD of the root's network namespace to the space network, publishing the cell's ports
 * (every container's: they share the root's namespace); returns the cell's address. In a space
 * with `isolation: cells` the cell's bridge port is isolated before the workloads start, unless
 * br_netfilter hands the bridge's frames to the space chain (docs/cell-isolation.md); a failure
 * there fails the attach (the start's rollback detaches).
 */
export async function attachCell(
  ctx: RunnerContext,
  ref: CellRef,
  rootPid: number,
  cell: Pick<Cell, 'spec'>,
): Promise<Attachment> {
  const net = spaceNetworkRef(ctx.cni, ref.realm, ref.space);
  const [space, att] = await Promise.all([
    readResource(ctx, 'Space', scopes.space(ref.realm, ref.space)),
    attachNetwork(ctx.cni, {
      conflist: net.conflistPath,
      containerId: ref.rootContainerdId,
      netns: `/proc/${rootPid}/ns/net`,
      // The root's namespace is ours: an eth0 without a cached result is an ADD a crash cut off.
      ownsNetns: true,
      portMappings: cellPorts(cell.spec.containers).map((p) => ({
        hostPort: p.hostPort,
        containerPort: p.containerPort,
        protocol: p.protocol,
        hostIP: p.hostIP,
      })),
    }),
  ]);
  if (att.hostVeth && (await wantsPortIsolation(net.bridgeName, isolatesCells(space?.spec.network))))
    await setPortIsolation(att.hostVeth, true);
  return att;
}

/**
 * CNI DEL for the root only (workloads share its namespace: a DEL for one of them would take the
 * whole cell's network down, as the original did), with the fallback cleanup of leases and
 * chains when the namespace is already gone. Never throws for host state.
 */
export async function detachCell(
  ctx: RunnerContext,
  ref: CellRef,
  rootPid?: number,
  opts: { networkGoing?: boolean } = {},
): Promise<DetachReport> {
  return detachCellAt(ctx, ref, rootPid ? `/proc/${rootPid}/ns/net` : '', opts.networkGoing);
}

async function detachCellAt(
  ctx: RunnerContext,
  ref: CellRef,
  netns: string,
  networkGoing?: boolean,
): Promise<DetachReport> {
  const net = spaceNetworkRef(ctx.cni, ref.realm, ref.space);
  const report = await detachNetwork(ctx.cni, {
    networkName: net.networkName,
    conflist: net.conflistPath,
    containerId: ref.rootContainerdId,
    netns,
    networkGoing,
  });
  if (report.del === 'failed')
    ctx.log.warn(
      { err: report.delError, cell: ref.scope.join('/') },
      'CNI DEL failed; leases released by hand',
    );
  return report;
}

/**
 * The root's CNI DEL and `rootEnd` (stopping, killing or removing the root) at the same time.
 * The DEL needs the root's network namespace, which dies with the root's last process: holding
 * the namespace open ourselves keeps it for the plugins (they get `/proc/<our pid>/fd/<n>`), so
 * the root need not wait for the DEL — the DEL still runs, as CNI wants, on the live
 * namespace, and the namespace goes when the handle closes. Without a running root (no pid, or
 * the namespace cannot be opened) this is detachCell, then `rootEnd`. Both always run to the end;
 * `rootEnd`'s error, if any, is thrown afterwards.
 */
export async function detachCellWhileRootEnds<T>(
  ctx: RunnerContext,
  ref: CellRef,
  rootPid: number | undefined,
  rootEnd: () => Promise<T>,
  opts: { networkGoing?: boolean } = {},
): Promise<{ report: DetachReport; ended: T }> {
  if (opts.networkGoing) {
    // No plugin needs the namespace (DetachParams.networkGoing): nothing to hold open.
    const [report, ended] = await Promise.all([detachCell(ctx, ref, undefined, opts), rootEnd()]);
    return { report, ended };
  }
  const handle = rootPid ? await open(`/proc/${rootPid}/ns/net`, 'r').catch(() => undefined) : undefined;
  if (!handle) {
    const report = await detachCell(ctx, ref);
    return { report, ended: await rootEnd() };
  }
  try {
    const [report, ended] = await Promise.allSettled([
      detachCellAt(ctx, ref, `/proc/${process.pid}/fd/${handle.fd}`),
      rootEnd(),
    ]);
    // detachCellAt never throws for host state; an invalid argument would be a bug worth seeing.
    if (report.status === 'rejected') throw report.reason;
    if (ended.status === 'rejected') throw ended.reason;
    return { report: report.value, ended: ended.value };
  } finally {
    await handle.close();
  }
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

/**
 * The cell's /etc/hosts, /etc/hostname and /etc/resolv.conf sources, bind-mounted read-only into
 * every container. Rewritten in place (same inode) so running containers see the cell IP.
 */
export async function writeCellEtcFiles(ctx: RunnerContext, ref: CellRef, ip?: string): Promise<void> {
  writeEtcFileInPlace(cellFiles.hosts(ref), renderEtcHosts({ ip, hostname: ref.id }));
  writeEtcFileInPlace(cellFiles.hostname(ref), renderEtcHostname(ref.id));
  writeEtcFileInPlace(cellFiles.resolvConf(ref), renderResolvConf(await hostResolvConf()));
}
