import { constants as osConstants } from 'node:os';
import type { CallOptions, Rpc } from './rpc.js';
import type { Any, Mount, Scope, Timestamp } from './types.js';
import { jsonAny, PROCESS_TYPE_URL, RESOURCES_TYPE_URL } from './any.js';
import { runcOptionsAny, type RuncOptions } from './containers.js';

export type TaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

export interface TaskProcess {
  container_id: string;
  /** Exec id, or '' / container id for the init process. */
  id: string;
  pid: number;
  status: TaskStatus;
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
  exit_status: number;
  exited_at: Timestamp | null;
}

export interface ExitResult {
  /** Exit code; 128+N when killed by signal N. */
  exit_status: number;
  exited_at: Timestamp | null;
}

export interface NewTask {
  container_id: string;
  /** Rootfs mounts from Snapshots.Prepare/Mounts. Required: an empty list gives an empty rootfs. */
  rootfs: Mount[];
  /**
   * stdout/stderr: an absolute path of an EXISTING file (the shim appends, it does not create),
   * a FIFO path, `file:///abs` (creates; stderr ignored) or `binary:///abs?...`. '' discards.
   */
  stdout?: string;
  stderr?: string;
  stdin?: string;
  terminal?: boolean;
  /** runc options for this task (wins over the container's). */
  options?: RuncOptions;
}

export interface NewExec {
  container_id: string;
  exec_id: string;
  /** OCI process spec (JSON). */
  process: object;
  stdout?: string;
  stderr?: string;
  stdin?: string;
  terminal?: boolean;
}

/** Signal number from a number or a name like 'SIGTERM'. */
export function signalNumber(signal: number | NodeJS.Signals): number {
  if (typeof signal === 'number') return signal;
  const n = osConstants.signals[signal];
  if (n === undefined) throw new Error(`unknown signal ${signal}`);
  return n;
}

/** True for statuses in which the task's process may still run (not STOPPED/UNKNOWN). */
export function isAliveStatus(status: TaskStatus): boolean {
  return status === 'CREATED' || status === 'RUNNING' || status === 'PAUSED' || status === 'PAUSING';
}

/** Tasks: the running side of a container (shim + runc). Runtime failures come back as UNKNOWN with runc's text in `details`. */
export class TasksApi {
  constructor(private readonly rpc: Rpc) {}

  /** Starts the shim and runs `runc create`; status becomes CREATED. Returns the init pid. */
  async create(scope: Scope, t: NewTask): Promise<{ pid: number }> {
    const req = {
      container_id: t.container_id,
      rootfs: t.rootfs,
      stdin: t.stdin ?? '',
      stdout: t.stdout ?? '',
      stderr: t.stderr ?? '',
      terminal: t.terminal ?? false,
      options: t.options ? runcOptionsAny(t.options) : undefined,
    };
    const res = await this.rpc.unary<{ pid: number }>('tasks', 'Create', req, scope);
    return { pid: res.pid };
  }

  async start(scope: Scope, containerId: string, execId = ''): Promise<number> {
    const res = await this.rpc.unary<{ pid: number }>(
      'tasks',
      'Start',
      { container_id: containerId, exec_id: execId },
      scope,
    );
    return res.pid;
  }

  async get(scope: Scope, containerId: string, execId = ''): Promise<TaskProcess> {
    const res = await this.rpc.unary<{ process: TaskProcess }>(
      'tasks',
      'Get',
      { container_id: containerId, exec_id: execId },
      scope,
    );
    return res.process;
  }

  /** All tasks in the namespace, including orphans whose container record is gone. */
  async list(scope: Scope, filter = ''): Promise<TaskProcess[]> {
    const res = await this.rpc.unary<{ tasks: TaskProcess[] }>('tasks', 'List', { filter }, scope);
    // 1.6 fills only `id` (= the container id for a task's init process) in List results, and
    // leaves `container_id` empty (verified): normalise so callers can rely on container_id.
    return res.tasks.map((t) => (t.container_id ? t : { ...t, container_id: t.id }));
  }

  /** After the process exited: ContainerdNotFoundError ("process already finished"). */
  async kill(
    scope: Scope,
    containerId: string,
    signal: number | NodeJS.Signals,
    opts: { all?: boolean; execId?: string } = {},
  ): Promise<void> {
    const req = {
      container_id: containerId,
      exec_id: opts.execId ?? '',
      signal: signalNumber(signal),
      all: opts.all ?? false,
    };
    await this.rpc.unary('tasks', 'Kill', req, scope);
  }

  /**
   * Blocks until the process exits (returns at once if it already has and is not deleted).
   * The stream breaks with ContainerdUnavailableError if containerd restarts: re-issue it.
   */
  async wait(
    scope: Scope,
    containerId: string,
    opts: CallOptions & { execId?: string } = {},
  ): Promise<ExitResult> {
    return this.rpc.unary<ExitResult>(
      'tasks',
      'Wait',
      { container_id: containerId, exec_id: opts.execId ?? '' },
      scope,
      { ...opts, deadlineMs: opts.deadlineMs ?? null },
    );
  }

  /** Deletes a stopped task (unmounts the rootfs, ends the shim). On a running one: UNKNOWN error. */
  async delete(scope: Scope, containerId: string): Promise<ExitResult & { pid: number }> {
    return this.rpc.unary('tasks', 'Delete', { container_id: containerId }, scope);
  }

  async deleteProcess(
    scope: Scope,
    containerId: string,
    execId: string,
  ): Promise<ExitResult & { pid: number }> {
    return this.rpc.unary('tasks', 'DeleteProcess', { container_id: containerId, exec_id: execId }, scope);
  }

  async listPids(scope: Scope, containerId: string): Promise<number[]> {
    const res = await this.rpc.unary<{ processes: { pid: number; info: Any | null }[] }>(
      'tasks',
      'ListPids',
      { container_id: containerId },
      scope,
    );
    return res.processes.map((p) => p.pid);
  }

  /** Live resource change: `resources` is an OCI `linux.resources` object. */
  async update(scope: Scope, containerId: string, resources: object): Promise<void> {
    const req = {
      container_id: containerId,
      resources: jsonAny(RESOURCES_TYPE_URL, resources),
      annotations: {},
    };
    await this.rpc.unary('tasks', 'Update', req, scope);
  }

  /** Sets the window size of a terminal task's pty (columns × rows); the process gets SIGWINCH. */
  async resizePty(
    scope: Scope,
    containerId: string,
    size: { width: number; height: number },
    execId = '',
  ): Promise<void> {
    const req = { container_id: containerId, exec_id: execId, width: size.width, height: size.height };
    await this.rpc.unary('tasks', 'ResizePty', req, scope);
  }

  /** Adds an exec process; then `start(scope, id, exec_id)`, `wait(..., {execId})`, `deleteProcess`. */
  async exec(scope: Scope, e: NewExec): Promise<void> {
    const req = {
      container_id: e.container_id,
      exec_id: e.exec_id,
      spec: jsonAny(PROCESS_TYPE_URL, e.process),
      stdin: e.stdin ?? '',
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
      terminal: e.terminal ?? false,
    };
    await this.rpc.unary('tasks', 'Exec', req, scope);
  }
}
