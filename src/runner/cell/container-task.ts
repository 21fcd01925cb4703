import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  isAliveStatus,
  isNotFound,
  stopTask,
  teardownContainer,
  type TaskProcess,
} from '../../containerd/index.js';
import { joinNamespaces, type JoinNamespaces, type OciSpec } from '../oci/index.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError, RunnerErrorCode } from '../runner-errors.js';

export async function getTask(
  ctx: RunnerContext,
  namespace: string,
  id: string,
): Promise<TaskProcess | undefined> {
  try {
    return await ctx.containerd.tasks.get(namespace, id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The shim appends to the log file but does not create it (spec 04 §7.2). */
async function ensureLogFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  await (await open(path, 'a', 0o640)).close();
}

/**
 * Starts the task of an existing container record: joins the root's namespaces first (rewriting
 * the stored spec, since `/proc/<pid>` paths change on every root start), replaces a stopped
 * task, and sends stdout and stderr to the container's log file. A task already running is kept.
 * Returns the pid.
 */
export async function startContainerTask(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  options: { logPath?: string; join?: JoinNamespaces } = {},
): Promise<number> {
  const existing = await getTask(ctx, namespace, id);
  if (existing && existing.status === 'RUNNING') return existing.pid;
  if (existing) await teardownTaskOnly(ctx, namespace, id, existing);
  const record = await ctx.containerd.containers.get(namespace, id);
  if (options.join && record.spec) {
    const spec = joinNamespaces(record.spec as unknown as OciSpec, options.join);
    await ctx.containerd.containers.update(namespace, id, { spec }, ['spec']);
  }
  const rootfs = record.snapshot_key
    ? await ctx.containerd.snapshots.mounts(namespace, record.snapshot_key)
    : [];
  if (options.logPath) await ensureLogFile(options.logPath);
  const io = options.logPath ?? '';
  await ctx.containerd.tasks.create(namespace, { container_id: id, rootfs, stdout: io, stderr: io });
  try {
    return await ctx.containerd.tasks.start(namespace, id);
  } catch (err) {
    await teardownTaskOnly(ctx, namespace, id).catch(() => undefined);
    throw err;
  }
}

/** Kills (if alive) and deletes a task, keeping the container record and its snapshot. */
export async function teardownTaskOnly(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  known?: TaskProcess,
): Promise<void> {
  const task = known ?? (await getTask(ctx, namespace, id));
  if (!task) return;
  if (isAliveStatus(task.status)) {
    await ctx.containerd.tasks.kill(namespace, id, 'SIGKILL', { all: true }).catch(ignoreNotFound);
    await ctx.containerd.tasks.wait(namespace, id).catch(ignoreNotFound);
  }
  await ctx.containerd.tasks.delete(namespace, id).catch(ignoreNotFound);
}

/** Graceful stop (SIGTERM, grace, SIGKILL) and task delete; the record stays. Missing = done. */
export async function stopContainerTask(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  graceMs: number,
): Promise<void> {
  await stopTask(ctx.containerd, namespace, id, { graceMs });
  await ctx.containerd.tasks.delete(namespace, id).catch(ignoreNotFound);
}

/** SIGKILL without waiting or deleting (spec 02 §6.2): the task stays, Stopped. Missing = done. */
export async function killContainerTask(ctx: RunnerContext, namespace: string, id: string): Promise<void> {
  await ctx.containerd.tasks.kill(namespace, id, 'SIGKILL', { all: true }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}

/** Task, record and snapshot gone (each step tolerant of already-gone). */
export async function removeContainer(ctx: RunnerContext, namespace: string, id: string): Promise<void> {
  await teardownContainer(ctx.containerd, namespace, id);
}

function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}

/** A task that must be running is not: the start's liveness check failed. */
export function notRunning(cell: string, container: string, status: string, hint: string): RunnerError {
  return new RunnerError(
    RunnerErrorCode.CellStartFailed,
    `cell "${cell}": container "${container}" is ${status} right after start; see \`kuke log ${hint}\``,
  );
}
