import type { EventStream } from '../../containerd/index.js';
import type { RunnerContext } from '../runner-context.js';
import { observeNamespace, type NamespaceObservation } from './container-observation.js';

/** A reused listing is never older than this, whatever the events say (a safety net). */
export const PASS_OBSERVATION_MAX_AGE_MS = 30_000;
/** How long the first pass of a namespace waits for its subscription before listing anyway. */
const SUBSCRIBE_WAIT_MS = 1_000;
/** A namespace no pass observed for this long (its realm is gone) loses its subscription. */
const IDLE_DROP_MS = 10 * 60_000;

/** One namespace: its task/container event subscription and the last listing still valid. */
class NamespaceEntry {
  /** Bumped by every event and every break of the stream: a listing spanning a bump is not kept. */
  generation = 0;
  live = false;
  kept?: NamespaceObservation;
  lastUsed = Date.now();
  readonly stream: EventStream;

  constructor(ctx: RunnerContext, namespace: string) {
    const invalidate = (): void => {
      this.generation++;
      this.kept = undefined;
    };
    this.stream = ctx.containerd.events.subscribe({
      filters: [`namespace==${namespace},topic~="^/(tasks|containers)/"`],
      onEvent: invalidate,
      onDisconnect: () => {
        this.live = false;
        invalidate();
      },
      onReconnect: () => {
        invalidate();
        this.live = true;
      },
    });
    this.stream.ready.then(
      () => {
        this.live = true;
      },
      () => undefined,
    );
  }
}

/**
 * The observation of a reconcile pass, fed by containerd's task and container events: a
 * namespace listing (containerd 1.6 asks every task's shim on Tasks.List, so it grows with the
 * realm) is reused by the next pass as long as the subscription was live before it was taken and
 * no `/tasks/*` or `/containers/*` event of the namespace arrived since. The reused observation
 * keeps its own `takenAt`, so a cell written since (a start, stop, update of ours) is observed
 * afresh by reconcileCell; a change from outside arrives as an event and forces a new listing
 * (an event still in flight is picked up by the next pass, as if this pass had run a moment
 * earlier — kukeond runs one at once on every task exit). Only for passes: an operation that
 * must see its own effect lists with observeNamespace.
 */
export class PassObservations {
  private readonly entries = new Map<string, NamespaceEntry>();
  private closed = false;

  constructor(private readonly ctx: RunnerContext) {}

  async observe(namespace: string): Promise<NamespaceObservation> {
    if (this.closed) return observeNamespace(this.ctx, namespace);
    this.dropIdle(namespace);
    let entry = this.entries.get(namespace);
    if (!entry) {
      entry = new NamespaceEntry(this.ctx, namespace);
      this.entries.set(namespace, entry);
      await waitReady(entry.stream);
    }
    entry.lastUsed = Date.now();
    const kept = entry.kept;
    if (kept && Date.now() - (kept.takenAt ?? 0) < PASS_OBSERVATION_MAX_AGE_MS) return kept;
    const live = entry.live;
    const generation = entry.generation;
    const obs = await observeNamespace(this.ctx, namespace);
    if (live && entry.live && entry.generation === generation && !this.closed) entry.kept = obs;
    return obs;
  }

  /**
   * Drops the kept listing of `namespace` (or of every namespace): for a caller that learned of a
   * change on another subscription and is about to run a pass because of it (kukeond's task-exit
   * kick), so the pass cannot run before this subscription has seen the same event.
   */
  invalidate(namespace?: string): void {
    for (const [ns, e] of this.entries) {
      if (namespace !== undefined && ns !== namespace) continue;
      e.generation++;
      e.kept = undefined;
    }
  }

  /** Whether the next pass of `namespace` would reuse a listing (for tests and benchmarks). */
  holds(namespace: string): boolean {
    return this.entries.get(namespace)?.kept !== undefined;
  }

  private dropIdle(except: string): void {
    const now = Date.now();
    for (const [ns, e] of this.entries) {
      if (ns === except || now - e.lastUsed < IDLE_DROP_MS) continue;
      e.stream.close();
      this.entries.delete(ns);
    }
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) e.stream.close();
    this.entries.clear();
  }
}

async function waitReady(stream: EventStream): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stream.ready.catch(() => undefined),
    new Promise<void>((res) => (timer = setTimeout(res, SUBSCRIBE_WAIT_MS))),
  ]).finally(() => clearTimeout(timer));
}
