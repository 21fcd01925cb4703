import { readFileSync } from 'node:fs';
import { GC_EXPIRE_LABEL, isNotFound } from '../containerd/index.js';
import { PULL_LEASE_LABEL } from '../images/pull-resume.js';
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

/** True when the lease has an owner mark and that process is gone. */
export function leaseAbandoned(labels: Record<string, string>): boolean {
  const owner = labels[LEASE_OWNER_LABEL];
  return !!owner && leaseOwnerGone(owner);
}

/**
 * A killed pull's lease, kept until its expiry for a later pull of its reference to resume from
 * (docs/images.md, "Resuming a pull"); that pull deletes it, else it goes once expired.
 */
export function pullLeaseAwaitingRetry(labels: Record<string, string>, now = Date.now()): boolean {
  const expiry = Date.parse(labels[GC_EXPIRE_LABEL] ?? '');
  return !!labels[PULL_LEASE_LABEL] && Number.isFinite(expiry) && expiry > now;
}

/**
 * Deletes (with a synchronous GC) our leases in `namespace` whose owner process is gone, but a
 * killed pull's before its expiry unless `releasePulls` (prune frees their bytes).
 */
export async function sweepOrphanLeases(
  ctx: RunnerContext,
  namespace: string,
  opts: { releasePulls?: boolean } = {},
): Promise<string[]> {
  const removed: string[] = [];
  for (const lease of await ctx.containerd.leases.list(namespace)) {
    if (!leaseAbandoned(lease.labels)) continue;
    if (!opts.releasePulls && pullLeaseAwaitingRetry(lease.labels)) continue;
    try {
      await ctx.containerd.leases.delete(namespace, lease.id, { sync: true });
      removed.push(lease.id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return removed;
}
