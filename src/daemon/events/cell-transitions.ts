import type { Cell } from '../../model/resources.js';
import type { EventInput, EventSink } from '../../model/kukeon-event.js';
import { exitSignal } from '../../runner/cell/container-observation.js';

/** What the tracker remembers of a cell: its state and, per container, state/exit/restarts. */
interface Seen {
  state: string;
  containers: Map<string, { state: string; exitCode: number; restarts: number }>;
}

const WARNING_CELL_STATES = new Set(['Failed', 'Error', 'Degraded']);
const RUNNING = 'Ready';

/**
 * Turns every cell write into events (docs/events.md): the runner tells the daemon of each
 * persisted cell document (`onCellWritten`), and this compares it with the last one it saw —
 * one small record per cell, no work per reconcile tick beyond that comparison, and only when a
 * document is actually written. A cell first seen after a daemon restart is remembered silently
 * (its history before the restart is not known), except a new one (`Pending`): `Created`.
 */
export class CellTransitions {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly sink: EventSink,
    /** True when the container (containerd ID) was OOM-killed; consumed by the call. */
    private readonly takeOomKill: (containerdId: string) => boolean = () => false,
  ) {}

  /** A cell document was written (`cell`), or the cell's metadata was removed (`undefined`). */
  written(scope: readonly string[], cell: Cell | undefined): void {
    const key = scope.join('/');
    const [realm, space, stack, name] = scope;
    const base = { realm, space, stack, cell: name };
    const before = this.seen.get(key);
    if (cell === undefined) {
      if (before) this.sink.emit({ ...base, kind: 'Cell', reason: 'Deleted', message: 'cell deleted' });
      this.seen.delete(key);
      return;
    }
    const now: Seen = { state: cell.status.state, containers: new Map() };
    for (const s of cell.status.containers)
      now.containers.set(s.id, { state: s.state, exitCode: s.exitCode, restarts: s.restartCount });
    this.seen.set(key, now);
    if (!before) {
      if (cell.status.state === 'Pending')
        this.sink.emit({ ...base, kind: 'Cell', reason: 'Created', message: 'cell created' });
      return;
    }
    const events: EventInput[] = [];
    for (const spec of cell.spec.containers) {
      const was = before.containers.get(spec.id);
      const is = now.containers.get(spec.id);
      if (!is) continue;
      const c = { ...base, kind: 'Container' as const, container: spec.id };
      if (was && is.restarts > was.restarts)
        events.push({
          ...c,
          reason: 'Restarted',
          message: `restarted by its restart policy (${spec.restartPolicy || 'never'}), restart ${is.restarts}`,
        });
      if (was?.state === is.state) continue;
      if (is.state === RUNNING) {
        events.push({ ...c, reason: 'Started', message: 'container running' });
      } else if (was?.state === RUNNING || is.state === 'Exited' || is.state === 'Error') {
        const oom = spec.containerdId !== undefined && this.takeOomKill(spec.containerdId);
        events.push({
          ...c,
          type: is.exitCode === 0 && is.state !== 'Error' && !oom ? 'Normal' : 'Warning',
          reason: is.state === 'Stopped' && !oom ? 'Stopped' : 'Exited',
          message: exitText(is.state, is.exitCode) + (oom ? ', by the OOM killer' : ''),
        });
      }
    }
    if (before.state !== now.state) {
      const why = [cell.status.reason, cell.status.message].filter(Boolean).join(': ');
      events.push({
        ...base,
        kind: 'Cell',
        type: WARNING_CELL_STATES.has(now.state) ? 'Warning' : 'Normal',
        reason: now.state,
        message: `cell ${before.state} → ${now.state}${why ? ` (${why})` : ''}`,
      });
    }
    for (const e of events) this.sink.emit(e);
  }
}

function exitText(state: string, code: number): string {
  const signal = exitSignal(code);
  const how = signal ? `killed by ${signal} (exit code ${code})` : `exit code ${code}`;
  return `container ${state.toLowerCase()}: ${how}`;
}
