import { constants as osConstants } from 'node:os';
import { isNotFound, type TaskProcess } from '../../containerd/index.js';
import type { Cell } from '../../model/resources.js';
import type { ContainerState } from '../../model/states.js';
import type { Timestamp } from '../../model/time.js';
import type { RunnerContext } from '../runner-context.js';
import { containerdIdOf, type CellRef } from './cell-ref.js';

/** What containerd says about the containers of one namespace, read with two list calls. */
export interface NamespaceObservation {
  /** The containerd namespace observed (the realm's): a pass need not look the realm up per cell. */
  namespace?: string;
  containers: Set<string>;
  tasks: Map<string, TaskProcess>;
  /** When the listing started (ms since the epoch); a cell persisted later must be re-observed. */
  takenAt?: number;
}

/**
 * One Containers.List and one Tasks.List per namespace (not one call per container), so a
 * reconcile pass over many cells costs two calls per realm.
 */
export async function observeNamespace(ctx: RunnerContext, namespace: string): Promise<NamespaceObservation> {
  const takenAt = Date.now();
  const [containers, tasks] = await Promise.all([
    ctx.containerd.containers.list(namespace),
    ctx.containerd.tasks.list(namespace),
  ]);
  return {
    namespace,
    containers: new Set(containers.map((c) => c.id)),
    // Tasks.List names each init process by `id` and leaves `container_id` empty (1.6).
    tasks: new Map(tasks.map((t) => [t.container_id || t.id, t])),
    takenAt,
  };
}

/**
 * The same facts for a few containers only (one cell): one filtered Containers.List and one
 * Tasks.Get each, at once. For a single cell this costs a few shim calls where a namespace listing
 * asks every shim of the realm (containerd 1.6): refresh, and reconcile when a pass's shared
 * observation is older than the cell's last write.
 */
export async function observeContainers(
  ctx: RunnerContext,
  namespace: string,
  ids: readonly string[],
): Promise<NamespaceObservation> {
  const takenAt = Date.now();
  const wanted = [...new Set(ids.filter(Boolean))];
  if (wanted.length === 0) return { namespace, containers: new Set(), tasks: new Map(), takenAt };
  const [containers, tasks] = await Promise.all([
    ctx.containerd.containers.list(
      namespace,
      wanted.map((id) => `id==${JSON.stringify(id)}`),
    ),
    Promise.all(
      wanted.map((id) =>
        ctx.containerd.tasks.get(namespace, id).then(
          (t) => [id, t] as const,
          (err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          },
        ),
      ),
    ),
  ]);
  return {
    namespace,
    containers: new Set(containers.map((c) => c.id)),
    tasks: new Map(tasks.filter((t) => t !== undefined)),
    takenAt,
  };
}

/** A cell's own containers (see observeContainers). */
export function observeCell(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  cell: Cell,
): Promise<NamespaceObservation> {
  return observeContainers(
    ctx,
    namespace,
    cell.spec.containers.map((c) => c.containerdId || containerdIdOf(ref, c)),
  );
}

export interface ContainerObservation {
  state: ContainerState;
  exitCode: number;
  exitedAt?: Timestamp;
  pid: number;
}

/**
 * A task that ended by SIGTERM or SIGKILL was stopped (by an operator, `kuke stop`, or `ctr task
 * kill` from outside), not crashed: it is Stopped, not Error (the issue asks that an external
 * kill reads as a stop). Any other non-zero exit is an Error.
 */
function stoppedState(exitStatus: number): ContainerState {
  if (exitStatus === 0) return 'Exited';
  if (exitStatus === 128 + osConstants.signals.SIGKILL || exitStatus === 128 + osConstants.signals.SIGTERM)
    return 'Stopped';
  return 'Error';
}

/** The containerd facts of one container mapped onto a container state. */
export function observeContainer(
  obs: NamespaceObservation,
  containerdId: string | undefined,
): ContainerObservation {
  if (!containerdId || !obs.containers.has(containerdId)) return { state: 'NotCreated', exitCode: 0, pid: 0 };
  const task = obs.tasks.get(containerdId);
  if (!task) return { state: 'Stopped', exitCode: 0, pid: 0 };
  const exitedAt = task.exited_at ? timestampOf(task.exited_at) : undefined;
  switch (task.status) {
    case 'RUNNING':
      return { state: 'Ready', exitCode: 0, pid: task.pid };
    case 'STOPPED':
      return { state: stoppedState(task.exit_status), exitCode: task.exit_status, exitedAt, pid: 0 };
    case 'CREATED':
      return { state: 'Pending', exitCode: 0, pid: task.pid };
    case 'PAUSED':
      return { state: 'Paused', exitCode: 0, pid: task.pid };
    case 'PAUSING':
      return { state: 'Pausing', exitCode: 0, pid: task.pid };
    default:
      return { state: 'Unknown', exitCode: 0, pid: 0 };
  }
}

function timestampOf(t: { seconds: number; nanos: number }): Timestamp | undefined {
  if (!t.seconds || t.seconds <= 0) return undefined;
  const ms = t.seconds * 1000 + Math.floor(t.nanos / 1e6);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const signalNames = new Map<number, string>(
  Object.entries(osConstants.signals).map(([name, n]) => [n as number, name]),
);

/** The signal name of an exit code 128 < c ≤ 192, else ''. */
export function exitSignal(code: number): string {
  if (code <= 128 || code > 192) return '';
  return signalNames.get(code - 128) ?? `SIG${code - 128}`;
}
