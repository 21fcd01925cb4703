import { ErrorCode } from '../../error-codes.js';
import { lstat, mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  deleteTask,
  isAliveStatus,
  isAlreadyExists,
  isNotFound,
  stopTask,
  teardownContainer,
  type TaskProcess,
} from '../../containerd/index.js';
import { joinNamespaces, type JoinNamespaces, type OciSpec } from '../oci/index.js';
import { replaceOrAppendEnv } from '../oci/env.js';
import { pruneStagingNamespace, removeStagedSecrets } from '../secrets/secret-staging.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import {
  isStaleRuncState,
  removeStaleBundle,
  removeStaleRuncState,
  staleBundleOf,
} from './task-create-leftovers.js';
import { closeTerminalFds, openTerminalFds, terminalFiles, type TerminalFiles } from './terminal-files.js';
import type { StopPlan } from './stop-plan.js';

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

/** The shim appends to the log file but does not create it. */
async function ensureLogFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  await (await open(path, 'a', 0o640)).close();
}

/**
 * The FIFOs of a terminal task (the shim opens them, it does not create them). A leftover of
 * another type at the path (a crash between unlink and mkfifo cannot leave one, a user can) is
 * replaced; an existing FIFO is reused — its buffered bytes die with its last open descriptor.
 */
async function ensureTerminalFifos(files: TerminalFiles): Promise<void> {
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  const { mkfifo } = await import('kukeon-native');
  for (const path of [files.stdin, files.stdout]) {
    if (mkfifo(path, 0o600)) continue;
    if ((await lstat(path)).isFIFO()) continue;
    await rm(path, { recursive: true, force: true });
    mkfifo(path, 0o600);
  }
}

export interface TaskIoOptions {
  logPath?: string;
  join?: JoinNamespaces;
  /** Attachable containers only: env for this start (`kuke run <cell> --env`), not persisted. */
  runtimeEnv?: readonly string[];
}

/** A task made by createContainerTask: its init pid (namespaces exist from here on). */
export interface CreatedTask {
  pid: number;
  /** It was already running: there is nothing to start. */
  running: boolean;
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
  options: TaskIoOptions = {},
): Promise<number> {
  const task = await createContainerTask(ctx, namespace, id, options);
  return task.running ? task.pid : startCreatedTask(ctx, namespace, id);
}

/**
 * The first half of startContainerTask: the task exists (CREATED, `runc create` done, its
 * namespaces made) but its process has not run. Lets a cell start overlap a workload's Create
 * with the root's Start and CNI ADD.
 */
export async function createContainerTask(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  options: TaskIoOptions = {},
): Promise<CreatedTask> {
  const existing = await getTask(ctx, namespace, id);
  if (existing && existing.status === 'RUNNING') return { pid: existing.pid, running: true };
  if (existing) await teardownTaskOnly(ctx, namespace, id, existing);
  const record = await ctx.containerd.containers.get(namespace, id);
  let spec = record.spec as OciSpec | undefined;
  if (options.join && spec) {
    spec = joinNamespaces(spec, options.join);
    await ctx.containerd.containers.update(namespace, id, { spec }, ['spec']);
  }
  const rootfs = record.snapshot_key
    ? await ctx.containerd.snapshots.mounts(namespace, record.snapshot_key)
    : [];
  const terminal = spec?.process?.terminal === true;
  let created: { pid: number };
  if (terminal && options.logPath) {
    // Attachable: the process gets a pty; the shim copies it through two FIFOs whose other ends
    // kukeond holds (and re-opens after a restart), so the session outlives any client.
    const files = terminalFiles(dirname(options.logPath));
    await ensureTerminalFifos(files);
    const fds = await openTerminalFds(files);
    try {
      created = await withRuntimeEnv(ctx, namespace, id, spec!, options.runtimeEnv ?? [], () =>
        createTaskOverLeftovers(ctx, namespace, id, () =>
          ctx.containerd.tasks.create(namespace, {
            container_id: id,
            rootfs,
            terminal: true,
            stdin: files.stdin,
            stdout: files.stdout,
          }),
        ),
      );
    } catch (err) {
      closeTerminalFds(fds);
      throw err;
    }
    if (!ctx.terminals) closeTerminalFds(fds);
    else
      await ctx.terminals.taskCreated({ namespace, containerdId: id, files }, fds).catch((err: unknown) => {
        ctx.log.warn(
          { err, container: id },
          'attach session could not adopt the terminal; the next attach retries',
        );
      });
  } else {
    if (options.logPath) {
      await ensureLogFile(options.logPath);
      ctx.onContainerLog?.(options.logPath);
    }
    const io = options.logPath ?? '';
    created = await createTaskOverLeftovers(ctx, namespace, id, () =>
      ctx.containerd.tasks.create(namespace, { container_id: id, rootfs, stdout: io, stderr: io }),
    );
  }
  return { pid: created.pid, running: false };
}

/**
 * Tasks.Create, clearing what a create a crash interrupted left in its way (the previous kukeond
 * was SIGKILLed while its create ran in containerd): a task that create made after all is torn
 * down (AlreadyExists, or a bundle that is a live task's); a bundle or runc state no task owns is
 * removed (task-create-leftovers.ts); then the create runs again. Bounded: each round clears one
 * leftover.
 */
async function createTaskOverLeftovers<T>(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  create: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      const bundle = staleBundleOf(err, namespace, id);
      const runcState = isStaleRuncState(err);
      if (attempt >= 4 || (!bundle && !runcState && !isAlreadyExists(err))) throw err;
      const task = await getTask(ctx, namespace, id);
      if (task) await teardownTaskOnly(ctx, namespace, id, task);
      else if (bundle) await removeStaleBundle(ctx, bundle);
      else if (runcState) await removeStaleRuncState(ctx, namespace, id);
    }
  }
}

/** The second half: runs the created task's process; a failed start leaves no task behind. */
export async function startCreatedTask(ctx: RunnerContext, namespace: string, id: string): Promise<number> {
  try {
    return await ctx.containerd.tasks.start(namespace, id);
  } catch (err) {
    await teardownTaskOnly(ctx, namespace, id).catch(() => undefined);
    throw err;
  }
}

/**
 * Runs `create` with `env` added to the container's process env, then puts the stored spec back:
 * Tasks.Create writes the spec into the task's bundle, so the running process keeps the env while
 * the record (and so every later start) does not.
 */
async function withRuntimeEnv<T>(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  spec: OciSpec,
  env: readonly string[],
  create: () => Promise<T>,
): Promise<T> {
  if (env.length === 0) return create();
  const once = { ...spec, process: { ...spec.process, env: replaceOrAppendEnv(spec.process.env, env) } };
  await ctx.containerd.containers.update(namespace, id, { spec: once }, ['spec']);
  try {
    return await create();
  } finally {
    await ctx.containerd.containers.update(namespace, id, { spec }, ['spec']);
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
  await deleteTask(ctx.containerd, namespace, id);
}

/** Graceful stop (stop signal, grace, SIGKILL) and task delete; the record stays. Missing = done. */
export async function stopContainerTask(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  plan: StopPlan,
): Promise<void> {
  await stopTask(ctx.containerd, namespace, id, plan);
  await deleteTask(ctx.containerd, namespace, id);
}

/** SIGKILL without waiting or deleting: the task stays, Stopped. Missing = done. */
export async function killContainerTask(ctx: RunnerContext, namespace: string, id: string): Promise<void> {
  await ctx.containerd.tasks.kill(namespace, id, 'SIGKILL', { all: true }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}

/** Task, record and snapshot gone (each step tolerant of already-gone). */
export async function removeContainer(ctx: RunnerContext, namespace: string, id: string): Promise<void> {
  await teardownContainer(ctx.containerd, namespace, id);
  // Its staged file secrets go with it (the sweep catches what a crash right here leaves).
  await removeStagedSecrets(ctx.config, namespace, id);
  await pruneStagingNamespace(ctx.config, namespace);
}

function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}

/** A task that must be running is not: the start's liveness check failed. */
export function notRunning(cell: string, container: string, status: string, hint: string): RunnerError {
  return new RunnerError(
    ErrorCode.CELL_START_FAILED,
    `cell "${cell}": container "${container}" is ${status} right after start; see \`kuke log ${hint}\``,
  );
}
