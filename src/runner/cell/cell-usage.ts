import { readFileSync } from 'node:fs';
import { containerCgroupsPath } from '../../model/naming/index.js';
import type { Cell } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';
import { containerdIdOf, type CellRef } from './cell-ref.js';
import type { CellUsage, ContainerUsage } from '../../model/cell-usage.js';

export type { CellUsage, ContainerUsage };

/**
 * What a cell consumes now, from the kernel's files only (no containerd call): the cell cgroup's
 * CPU/memory/pids (v1 or v2), each container's cgroup, and the byte counters of the cell's
 * network namespace (`/proc/<root pid>/net/dev`, every interface but loopback; the root's pid is
 * read from its cgroup). A cell whose root uses the host network has no figures of its own there.
 */
export async function cellUsage(ctx: RunnerContext, ref: CellRef, cell: Cell): Promise<CellUsage> {
  const statuses = new Map(cell.status.containers.map((s) => [s.id, s]));
  const containers: ContainerUsage[] = [];
  for (const c of cell.spec.containers) {
    const id = c.containerdId || containerdIdOf(ref, c);
    const s = statuses.get(c.id);
    const stats = await ctx.cgroups.stats(containerCgroupsPath(ref.cgroupPath, id));
    containers.push({ id: c.id, state: s?.state ?? 'Unknown', restarts: s?.restartCount ?? 0, ...stats });
  }
  const usage: CellUsage = {
    ...(await ctx.cgroups.stats(ref.cgroupPath)),
    restarts: containers.reduce((n, c) => n + c.restarts, 0),
    containers,
  };
  const root = cell.spec.containers.find((c) => c.root);
  if (root && !root.hostNetwork) {
    const rootId = root.containerdId || ref.rootContainerdId;
    const [pid] = await ctx.cgroups.procs(containerCgroupsPath(ref.cgroupPath, rootId)).catch(() => []);
    const net = pid ? netDevBytes(pid) : undefined;
    if (net) [usage.netRxBytes, usage.netTxBytes] = [net.rx, net.tx];
  }
  return usage;
}

/** Received and sent bytes of every interface but loopback in the process's network namespace. */
export function netDevBytes(pid: number): { rx: number; tx: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return undefined;
  }
  return parseNetDev(text);
}

/** `/proc/net/dev`: two header lines, then `iface: rx_bytes packets … (8 fields) tx_bytes …`. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (iface === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}
