import type { ContainerSpec } from '../../model/container.js';
import { DEFAULT_STOP_GRACE_MS, parseStopSignal } from '../../model/stop-signal.js';
import { containerdIdOf, type CellRef } from './cell-ref.js';

/** How one task is ended: its first signal, then SIGKILL after `graceMs` (0: SIGKILL at once). */
export interface StopPlan {
  signal: number | NodeJS.Signals;
  graceMs: number;
}

/**
 * How the tasks of a cell end on stop, delete or recreate: each container's own `stopSignal` and
 * `stopGracePeriodSeconds` (docs/manifests.md), the caller's `graceMs` (`--timeout`; 0 for
 * `--force`) overriding the grace period as `docker stop -t` overrides a container's StopTimeout.
 */
export interface CellStop {
  containers: readonly ContainerSpec[];
  graceMs?: number;
}

/** The plan of one container (undefined: a container the metadata does not name). */
export function stopPlanOf(container: ContainerSpec | undefined, graceMs?: number): StopPlan {
  const own = container?.stopGracePeriodSeconds;
  const signal = container?.stopSignal ? parseStopSignal(container.stopSignal) : undefined;
  return {
    signal: signal ?? 'SIGTERM',
    graceMs: graceMs ?? (own !== undefined ? own * 1000 : DEFAULT_STOP_GRACE_MS),
  };
}

/** The plan of a task of this cell by containerd ID. */
export function stopPlanById(ref: CellRef, stop: CellStop, containerdId: string): StopPlan {
  const c = stop.containers.find((x) => (x.containerdId || containerdIdOf(ref, x)) === containerdId);
  return stopPlanOf(c, stop.graceMs);
}
