import type { ContainerSpec, ContainerStatus, RestartPolicy } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import type { CellState, ContainerState } from '../../model/states.js';
import type { Timestamp } from '../../model/time.js';
import { exitSignal, observeContainer, type NamespaceObservation } from './container-observation.js';
import { containerdIdOf, type CellRef } from './cell-ref.js';

const ACTIVE: ReadonlySet<ContainerState> = new Set(['Ready', 'Pending', 'Paused', 'Pausing']);
const TERMINAL: ReadonlySet<ContainerState> = new Set(['Stopped', 'Exited', 'Error', 'Failed', 'NotCreated']);

export const isActive = (s: ContainerState): boolean => ACTIVE.has(s);
export const isTerminal = (s: ContainerState): boolean => TERMINAL.has(s);

/**
 * One status per spec container, in spec order, from a fresh observation, keeping
 * what only history knows (createdAt, startTime, restart bookkeeping, the last exit).
 */
export function populateStatuses(
  cell: Cell,
  ref: CellRef,
  obs: NamespaceObservation,
  now: Timestamp,
): ContainerStatus[] {
  const prior = new Map(cell.status.containers.map((s) => [s.id, s]));
  return cell.spec.containers.map((c) => {
    const p = prior.get(c.id);
    const o = observeContainer(obs, c.containerdId || containerdIdOf(ref, c));
    const ready = o.state === 'Ready';
    let finishTime = p?.finishTime;
    let exitCode = p?.exitCode ?? 0;
    if (ready) {
      finishTime = undefined;
      exitCode = 0;
    } else if (o.exitedAt) {
      finishTime = o.exitedAt;
      exitCode = o.exitCode;
    }
    return {
      name: c.id,
      id: c.id,
      state: o.state,
      createdAt: p?.createdAt ?? now,
      startTime: p?.startTime ?? (ready ? now : undefined),
      finishTime,
      exitCode,
      exitSignal: exitSignal(exitCode),
      restartCount: p?.restartCount ?? 0,
      restartTime: p?.restartTime,
      repos: p?.repos,
      stages: p?.stages,
    };
  });
}

/** A restart policy's verdict on an exit (unknown policies restart, as the original does). */
export function policyRestarts(policy: RestartPolicy | string | undefined, exitCode: number): boolean {
  if (!policy || policy === 'never') return false;
  if (policy === 'on-failure') return exitCode !== 0;
  return true;
}

/** A failure is a crash: Failed/Error, or a non-zero exit that was not a stop signal. */
const failed = (s: ContainerStatus): boolean =>
  s.state === 'Failed' || s.state === 'Error' || (s.exitCode !== 0 && s.state !== 'Stopped');

/**
 * The cell state from its container statuses. Root-only cells follow the root;
 * otherwise the workloads decide. Never produces Failed (a bring-up fault is recorded by the verb);
 * produces Stopped when everything ended and something was stopped by SIGTERM/SIGKILL.
 */
export function deriveCellState(cell: Cell, statuses: readonly ContainerStatus[]): CellState {
  const byId = new Map(statuses.map((s) => [s.id, s]));
  const workloads = cell.spec.containers.filter((c) => !c.root);
  if (workloads.length === 0) {
    const root = cell.spec.containers.find((c) => c.root);
    if (!root) return 'Ready';
    const s = byId.get(root.id);
    if (!s) return 'Unknown';
    if (isActive(s.state)) return 'Ready';
    if (isTerminal(s.state))
      return failed(s) ? 'Error' : s.state === 'Stopped' && s.exitCode !== 0 ? 'Stopped' : 'Exited';
    return 'Unknown';
  }
  const ws: { spec: ContainerSpec; status: ContainerStatus }[] = [];
  for (const w of workloads) {
    const s = byId.get(w.id);
    if (!s) return 'Unknown';
    ws.push({ spec: w, status: s });
  }
  if (ws.some((w) => isActive(w.status.state))) {
    const degraded = ws.some(
      (w) =>
        isTerminal(w.status.state) &&
        w.status.state !== 'NotCreated' &&
        (failed(w.status) ||
          // A workload stopped by a signal while its siblings run is down, not finished.
          (w.status.state === 'Stopped' && w.status.exitCode !== 0) ||
          policyRestarts(w.spec.restartPolicy, w.status.exitCode)),
    );
    return degraded ? 'Degraded' : 'Ready';
  }
  if (ws.some((w) => w.status.state === 'Unknown')) return 'Unknown';
  if (ws.some((w) => failed(w.status))) return 'Error';
  // Everything ended and something was stopped by a signal: the cell was stopped, not finished.
  // Exited means every workload was seen to finish cleanly; one stopped by a signal or whose task
  // vanished (shim killed, containerd lost it) was stopped, not finished — AutoDelete must not reap it.
  return ws.some((w) => w.status.state === 'Stopped') ? 'Stopped' : 'Exited';
}

/** Latch: once a cell was seen Ready (or Degraded) it stays "ready observed". */
export function latchReadyObserved(
  previous: boolean | undefined,
  oldState: CellState,
  newState: CellState,
): boolean {
  return previous === true || [oldState, newState].some((s) => s === 'Ready' || s === 'Degraded');
}

/** Breadcrumb for a fresh transition into Error: names the first failing container. */
export function errorBreadcrumb(
  cell: Cell,
  statuses: readonly ContainerStatus[],
): { reason: string; message: string } {
  const workloads = new Set(cell.spec.containers.filter((c) => !c.root).map((c) => c.id));
  const candidates = statuses.filter((s) => (workloads.size ? workloads.has(s.id) : true));
  const first = candidates.find((s) => isTerminal(s.state) && failed(s));
  if (!first) return { reason: 'WorkloadFailed', message: 'workload exited with a non-zero status' };
  const message = first.exitSignal
    ? `container "${first.id}" terminated by ${first.exitSignal} (exit code ${first.exitCode})`
    : `container "${first.id}" exited with code ${first.exitCode}`;
  return { reason: 'WorkloadFailed', message };
}
