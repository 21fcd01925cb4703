import { readFileSync } from 'node:fs';
import type { ContainerdClient } from './client.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ContainerdTaskAliveError,
  ContainerdTimeoutError,
  isNotFound,
  isShimConnectionClosed,
} from './errors.js';
import { isAliveStatus, type ExitResult, type TaskProcess } from './tasks.js';
import type { Scope } from './types.js';

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** True when the call succeeded, false when the object was already gone. */
async function tolerate(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Tasks.Delete, tolerant of the shim exiting under it. A cell's containers share one shim
 * (docs/runner-design.md); when the cell's tasks are deleted at once, the shim exits after the
 * last one and containerd may answer another Delete still in flight with "ttrpc: closed". It then
 * cleans up after the dead shim by itself: the task is deleted once Tasks.Get no longer finds it,
 * else the Delete is tried again. True when this call deleted it, false when it was gone already.
 */
export async function deleteTask(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.tasks.delete(scope, containerId);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isShimConnectionClosed(err) || attempt >= 5) throw err;
    }
    await sleep(50 * attempt);
    if (!(await ignoreNotFound(client.tasks.get(scope, containerId)))) return true;
  }
}

/** Tasks.Wait with a client-side timeout (ContainerdTimeoutError when it passes). */
export async function waitWithTimeout(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
  timeoutMs: number,
  execId = '',
): Promise<ExitResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    return await client.tasks.wait(scope, containerId, { signal: ac.signal, execId });
  } catch (err) {
    if (ac.signal.aborted) {
      throw new ContainerdTimeoutError(`task ${containerId} did not exit within ${timeoutMs} ms`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export interface StopTaskOptions {
  /** First signal (default SIGTERM). A PID 1 without a handler ignores SIGTERM: hence the grace period. */
  signal?: number | NodeJS.Signals;
  /** How long to wait after the first signal before SIGKILL (default 10 s; 0: SIGKILL at once). */
  graceMs?: number;
  /**
   * The container has a PID namespace of its own, so its init is that namespace's PID 1: a
   * SIGKILL for it may be sent from here, since the kernel then kills every process of the
   * namespace — one `kill(2)` where the shim would start a `runc kill --all` process
   * (docs/runner-design.md, "Ending tasks at once").
   */
  ownPidNamespace?: boolean;
}

/**
 * Graceful stop: signal, wait up to `graceMs`, then SIGKILL and wait. Returns the exit result;
 * undefined when there was no task or it had already been deleted.
 */
export async function stopTask(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
  opts: StopTaskOptions = {},
): Promise<ExitResult | undefined> {
  const task = await ignoreNotFound(client.tasks.get(scope, containerId));
  if (!task) return undefined;
  if (!isAliveStatus(task.status)) return { exit_status: task.exit_status, exited_at: task.exited_at };
  const grace = opts.graceMs ?? 10_000;
  if (grace <= 0) return killAndWait(client, scope, containerId, opts.ownPidNamespace ? task.pid : undefined);
  // Wait is issued before the signal so a fast exit cannot be missed.
  const ac = new AbortController();
  const waiting = client.tasks.wait(scope, containerId, { signal: ac.signal });
  waiting.catch(() => undefined);
  await ignoreNotFound(client.tasks.kill(scope, containerId, opts.signal ?? 'SIGTERM', { all: false }));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), grace);
  });
  try {
    const first = await Promise.race([waiting, timedOut]);
    if (first !== 'timeout') return first;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  ac.abort();
  return killAndWait(client, scope, containerId);
}

async function killAndWait(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
  namespaceInit?: number,
): Promise<ExitResult | undefined> {
  if (!namespaceInit || !sigkillNamespaceInit(namespaceInit))
    await ignoreNotFound(client.tasks.kill(scope, containerId, 'SIGKILL', { all: true }));
  return ignoreNotFound(waitWithTimeout(client, scope, containerId, 10_000));
}

/**
 * SIGKILL to `pid` when it is still the init (PID 1) of a PID namespace, as the task's process
 * was when containerd reported it running: its NSpid ends in 1. Such a pid cannot have been
 * reused by an unrelated process in between (the shim reaps the init; a reused pid would have to
 * be another namespace's init). True when the signal went out or the process is gone already;
 * false when the check fails and the caller asks containerd instead.
 */
function sigkillNamespaceInit(pid: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  const nspid = /^NSpid:\s*(.*)$/m.exec(status)?.[1].trim().split(/\s+/);
  if (!nspid || nspid.length < 2 || nspid.at(-1) !== '1') return false;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return true;
}

/**
 * Deletes a container record, refusing while its task is alive: containerd 1.6 allows it and
 * then loses track of the running task and GCs its snapshot. A STOPPED task is
 * deleted first. `removeSnapshot` also removes the container's snapshot (default true).
 */
export async function deleteContainer(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
  opts: { removeSnapshot?: boolean } = {},
): Promise<void> {
  const task = await ignoreNotFound(client.tasks.get(scope, containerId));
  if (task && isAliveStatus(task.status)) {
    throw new ContainerdTaskAliveError(
      `refusing to delete container ${containerId}: its task is ${task.status} (pid ${task.pid}); stop it first`,
    );
  }
  if (task) await deleteTask(client, scope, containerId);
  const container = await ignoreNotFound(client.containers.get(scope, containerId));
  if (!container) return;
  await ignoreNotFound(client.containers.delete(scope, containerId));
  if (opts.removeSnapshot !== false && container.snapshot_key) {
    await ignoreNotFound(
      client.snapshots.remove(scope, container.snapshot_key, container.snapshotter || undefined),
    );
  }
}

export interface TeardownResult {
  /** Exit of the task, when there was one. */
  exit?: ExitResult;
  taskDeleted: boolean;
  containerDeleted: boolean;
  snapshotRemoved: boolean;
}

/**
 * Kill → Wait → Tasks.Delete → Containers.Delete → Snapshots.Remove, each step
 * tolerant of not-found so it can be re-run after a partial failure or a crash. Kills with
 * SIGKILL: use `stopTask` first for a graceful stop. `snapshotKey` is used when the container
 * record is already gone.
 */
export async function teardownContainer(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
  opts: { snapshotKey?: string; snapshotter?: string; waitTimeoutMs?: number } = {},
): Promise<TeardownResult> {
  const result: TeardownResult = { taskDeleted: false, containerDeleted: false, snapshotRemoved: false };
  const container = await ignoreNotFound(client.containers.get(scope, containerId));
  const task: TaskProcess | undefined = await ignoreNotFound(client.tasks.get(scope, containerId));
  if (task) {
    if (isAliveStatus(task.status)) {
      await ignoreNotFound(client.tasks.kill(scope, containerId, 'SIGKILL', { all: true }));
      result.exit = await ignoreNotFound(
        waitWithTimeout(client, scope, containerId, opts.waitTimeoutMs ?? 10_000),
      );
    } else {
      result.exit = { exit_status: task.exit_status, exited_at: task.exited_at };
    }
    result.taskDeleted = await deleteTask(client, scope, containerId);
  }
  if (container) {
    // The task is gone (or never existed) here, so the live-task guard holds.
    result.containerDeleted = await tolerate(client.containers.delete(scope, containerId));
  }
  const key = opts.snapshotKey ?? container?.snapshot_key;
  if (key) {
    const snapshotter = opts.snapshotter ?? (container?.snapshotter || undefined);
    result.snapshotRemoved = await tolerate(client.snapshots.remove(scope, key, snapshotter));
  }
  return result;
}
