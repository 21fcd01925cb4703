import { readFileSync } from 'node:fs';
import { isNotFound } from '../containerd/index.js';
import type { RunnerContext } from './runner-context.js';

/**
 * Leases the runner takes for a multi-call containerd write carry their owner process (pid and
 * its start time, so a reused pid is not mistaken for the owner). A crash leaves such a lease
 * behind, and with it whatever it protects; the ownership sweep deletes leases whose owner is gone
 * instead of waiting for their expiry.
 */
export const LEASE_OWNER_LABEL = 'kukeon.io/lease-owner';

/** `<pid>@<start time in clock ticks since boot>` of a process; undefined when it is gone. */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${pid}@${fields[19]}`;
  } catch {
    return undefined;
  }
}

const self = processIdentity(process.pid) ?? `${process.pid}@0`;

export function ownedLeaseLabels(): Record<string, string> {
  return { [LEASE_OWNER_LABEL]: self };
}

/** True when the lease's owner process no longer exists (pid gone or reused). */
export function leaseOwnerGone(owner: string): boolean {
  const pid = Number(owner.split('@')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  return processIdentity(pid) !== owner;
}

/** Deletes (with a synchronous GC) our leases in `namespace` whose owner process is gone. */
export async function sweepOrphanLeases(ctx: RunnerContext, namespace: string): Promise<string[]> {
  const removed: string[] = [];
  for (const lease of await ctx.containerd.leases.list(namespace)) {
    const owner = lease.labels[LEASE_OWNER_LABEL];
    if (!owner || !leaseOwnerGone(owner)) continue;
    try {
      await ctx.containerd.leases.delete(namespace, lease.id, { sync: true });
      removed.push(lease.id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return removed;
}
