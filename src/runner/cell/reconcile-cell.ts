import type { Cell } from '../../model/resources.js';
import type { CellState } from '../../model/states.js';
import { timestampFromDate } from '../../model/time.js';
import type { RunnerContext } from '../runner-context.js';
import { isStale, persistResource } from '../resource-store.js';
import { requireRealm } from '../realm/realm-queries.js';
import { cellFiles, containerdIdOf, type CellRef } from './cell-ref.js';
import {
  deriveCellState,
  errorBreadcrumb,
  isTerminal,
  latchReadyObserved,
  policyRestarts,
  populateStatuses,
} from './cell-state.js';
import { loadCell, withCellLock } from './cell-store.js';
import { documentVersion, settledCells } from './settled-cells.js';
import type { NamespaceObservation } from './container-observation.js';
import { observeCell } from './container-observation.js';
import { startContainerTask } from './container-task.js';
import { deleteCellLocked } from './delete-cell.js';
import { haltCellLocked } from './stop-cell.js';

export interface ReconcileResult {
  cell?: Cell;
  updated: boolean;
  deleted: boolean;
  /** The cell's metadata was gone when the pass reached it (deleted meanwhile): nothing done. */
  vanished: boolean;
  /** Workloads restarted by their restart policy in this pass. */
  restarted: string[];
}

/** In-memory restart bookkeeping, keyed by cell scope + container id. */
export class RestartBook {
  private readonly attempts = new Map<string, { count: number; last: number }>();
  get(key: string): { count: number; last: number } | undefined {
    return this.attempts.get(key);
  }
  record(key: string, now: number): void {
    const a = this.attempts.get(key);
    this.attempts.set(key, { count: (a?.count ?? 0) + 1, last: now });
  }
  forget(key: string): void {
    this.attempts.delete(key);
  }
}

const DEFAULT_BACKOFF_S = 30;
const DEFAULT_MAX_RETRIES = 5;

/**
 * Refresh: observe and record the cell's true state; no repair. Unlike the
 * original a Failed or Error cell is not turned into Exited by a refresh.
 */
export async function refreshCell(
  ctx: RunnerContext,
  ref: CellRef,
  obs?: NamespaceObservation,
  namespace?: string,
): Promise<{ cell?: Cell; updated: boolean }> {
  const loaded = await loadCell(ctx, ref);
  if (!loaded) return { updated: false };
  const cell = loaded.model;
  const o = obs ?? (await observeCell(ctx, namespace ?? (await realmNs(ctx, ref)), ref, cell));
  const next = observe(ctx, ref, cell, o);
  if (!changed(cell, next)) return { cell, updated: false };
  try {
    return {
      cell: await persistResource(ctx, 'Cell', ref.scope, next, { observed: loaded.bytes }),
      updated: true,
    };
  } catch (err) {
    if (isStale(err)) return { cell, updated: false };
    throw err;
  }
}

/**
 * One reconcile pass over a cell, under its lock: re-read it (gone → vanished),
 * observe, derive the state, restart workloads whose policy asks for it (with backoff and a retry
 * limit), reap AutoDelete cells whose work is done, and persist what changed. Cells with an
 * operation in flight (pending intent) are left alone: recovery finishes that operation first,
 * so a reconcile can never resurrect a cell being deleted or reap one being created.
 */
export async function reconcileCell(
  ctx: RunnerContext,
  ref: CellRef,
  book: RestartBook,
  obs?: NamespaceObservation,
): Promise<ReconcileResult> {
  const settled = settledCells(ctx);
  const result: ReconcileResult = { updated: false, deleted: false, vanished: false, restarted: [] };
  const same = obs && (await settled.unchanged(ctx, ref, obs));
  if (same) return { ...result, cell: same };
  return withCellLock(ctx, ref, async () => {
    settled.forget(ref);
    const version = await documentVersion(ctx, ref);
    const loaded = await loadCell(ctx, ref);
    if (!loaded) return { ...result, vanished: true };
    if (await ctx.journal.get('Cell', ref.scope.join('/'))) return { ...result, cell: loaded.model };
    const namespace = obs?.namespace ?? (await realmNs(ctx, ref));
    // A pass-wide observation is stale for a cell an operation persisted after it was taken (a
    // stop that finished meanwhile must not be overwritten as Ready): observe that cell afresh.
    const updatedAt = loaded.model.status.updatedAt ? Date.parse(loaded.model.status.updatedAt) : 0;
    const fresh = obs && obs.takenAt !== undefined && updatedAt < obs.takenAt;
    let o = fresh ? obs : await observeCell(ctx, namespace, ref, loaded.model);
    let cell = loaded.model;
    let next = observe(ctx, ref, cell, o);

    // Heal a cgroup removed behind our back once the cell has run. A running task's cgroup lies
    // under the cell's, which cannot be removed while it holds one: only then is it looked at.
    const taskRuns = next.status.containers.some((s) => s.state === 'Ready');
    if (cell.status.readyObserved && !taskRuns && !(await ctx.cgroups.exists(ref.cgroupPath)).exists) {
      await ctx.cgroups.ensure(ref.cgroupPath, {
        subtreeControllers: cell.spec.nestedCgroupRuntime ? 'all' : 'resource',
      });
    }

    // Restart pass: only for a cell that ran, whose root still runs.
    const root = next.spec.containers.find((c) => c.root);
    const rootRunning = root && next.status.containers.find((s) => s.id === root.id)?.state === 'Ready';
    // An operator's stop/kill (persisted Stopped) is not undone by restart policies; a workload
    // killed from outside (derived Stopped) is restarted as its policy says.
    if (next.status.readyObserved && rootRunning && cell.status.state !== 'Stopped') {
      const nowMs = ctx.now().getTime();
      for (const c of next.spec.containers.filter((x) => !x.root)) {
        const s = next.status.containers.find((x) => x.id === c.id);
        const key = `${ref.scope.join('/')}/${c.id}`;
        if (!s || !isTerminal(s.state) || s.state === 'NotCreated') {
          book.forget(key);
          continue;
        }
        if (!policyRestarts(c.restartPolicy, s.exitCode)) continue;
        const prior = book.get(key);
        if (
          prior &&
          c.restartPolicy === 'on-failure' &&
          prior.count >= (c.restartMaxRetries ?? DEFAULT_MAX_RETRIES)
        )
          continue;
        const backoffMs = (c.restartBackoffSeconds ?? DEFAULT_BACKOFF_S) * 1000;
        if (prior && nowMs - prior.last < backoffMs) continue;
        book.record(key, nowMs);
        const pid = o.tasks.get(root!.containerdId ?? '')?.pid ?? 0;
        const nsPath = (t: string): string => `/proc/${pid}/ns/${t}`;
        try {
          await startContainerTask(ctx, namespace, c.containerdId!, {
            logPath: cellFiles.log(ref, c.id),
            join: {
              network: c.hostNetwork ? undefined : nsPath('net'),
              ipc: nsPath('ipc'),
              uts: nsPath('uts'),
            },
          });
          result.restarted.push(c.id);
          s.restartCount += 1;
          s.restartTime = timestampFromDate(ctx.now());
        } catch (err) {
          ctx.log.warn({ err, cell: ref.scope.join('/'), container: c.id }, 'restart failed');
        }
      }
      if (result.restarted.length > 0) {
        o = await observeCell(ctx, namespace, ref, next);
        const restartCounts = new Map(next.status.containers.map((s) => [s.id, s]));
        next = observe(ctx, ref, next, o);
        next.status.containers = next.status.containers.map((s) => ({
          ...s,
          restartCount: restartCounts.get(s.id)?.restartCount ?? s.restartCount,
          restartTime: restartCounts.get(s.id)?.restartTime ?? s.restartTime,
        }));
      }
    }

    // AutoDelete: the work is done (every workload exited cleanly after the cell ran).
    if (next.spec.autoDelete && next.status.state === 'Exited' && next.status.readyObserved) {
      await deleteCellLocked(ctx, ref, 0);
      return { ...result, deleted: true };
    }
    // Wind-down: all workloads finished and none will restart, but the root still holds the
    // network: stop the root so the cell does not keep an IP it no longer uses.
    if (
      next.status.state === 'Exited' &&
      next.status.readyObserved &&
      rootRunning &&
      next.spec.containers.some((c) => !c.root)
    ) {
      const stopped = await haltCellLocked(ctx, ref, 'kill', 0);
      return { ...result, cell: stopped, updated: true };
    }
    if (!changed(cell, next) && result.restarted.length === 0) {
      const allRun =
        next.status.state === 'Ready' && next.status.containers.every((c) => c.state === 'Ready');
      if (version && allRun) {
        const ids = next.spec.containers.map((c) => c.containerdId || containerdIdOf(ref, c));
        settled.record(ref, { version, obs: o, ids, cell });
      }
      return { ...result, cell };
    }
    try {
      cell = await persistResource(ctx, 'Cell', ref.scope, next, { observed: loaded.bytes });
      return { ...result, cell, updated: true };
    } catch (err) {
      if (isStale(err)) return { ...result, cell };
      throw err;
    }
  });
}

/** The observed status: container statuses, derived state (sticky Failed kept), latch, breadcrumb. */
function observe(ctx: RunnerContext, ref: CellRef, cell: Cell, obs: NamespaceObservation): Cell {
  const statuses = populateStatusesOf(ctx, ref, cell, obs);
  const old = cell.status.state;
  let state: CellState = deriveCellState(cell, statuses);
  // Failed (a bring-up fault of ours) stays until the operator acts; Stopped stays while
  // nothing runs, so an operator's stop is not reported as a workload exit.
  if (old === 'Failed') state = 'Failed';
  if (old === 'Stopped' && statuses.every((s) => s.state !== 'Ready')) state = 'Stopped';
  const status = { ...cell.status, state, containers: statuses };
  status.readyObserved = latchReadyObserved(cell.status.readyObserved, old, state) || undefined;
  if (state === 'Error' && old !== 'Error') Object.assign(status, errorBreadcrumb(cell, statuses));
  if (state !== 'Error' && state !== 'Failed' && old === 'Error') {
    status.reason = undefined;
    status.message = undefined;
  }
  return { ...cell, status };
}

function populateStatusesOf(ctx: RunnerContext, ref: CellRef, cell: Cell, obs: NamespaceObservation) {
  return populateStatuses(cell, ref, obs, timestampFromDate(ctx.now()));
}

function changed(a: Cell, b: Cell): boolean {
  if (a.status.state !== b.status.state || a.status.readyObserved !== b.status.readyObserved) return true;
  if (a.status.reason !== b.status.reason || a.status.message !== b.status.message) return true;
  const ka = a.status.containers.map((s) => `${s.id}:${s.state}:${s.exitCode}:${s.restartCount}`).join(',');
  const kb = b.status.containers.map((s) => `${s.id}:${s.state}:${s.exitCode}:${s.restartCount}`).join(',');
  return ka !== kb;
}

async function realmNs(ctx: RunnerContext, ref: CellRef): Promise<string> {
  return (await requireRealm(ctx, ref.realm)).spec.namespace;
}
