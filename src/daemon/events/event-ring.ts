import { ChangeWaiters } from './change-waiters.js';
import type { EventInput, EventSink, KukeonEvent } from '../../model/kukeon-event.js';

/** Which events a reader wants: all fields optional; scope fields match exactly. */
export interface EventFilter {
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
  /** Only events at or after this time (epoch ms). */
  sinceMs?: number;
  /** Only events with a larger sequence number (a follower's cursor). */
  afterSeq?: number;
}

export const DEFAULT_EVENT_CAPACITY = 1000;

/**
 * The daemon's bounded memory of recent events: a fixed-size ring (the oldest event is dropped
 * when full), so `kuke events --since` works after the fact and memory never grows with uptime.
 * Readers that follow wait for the next event with `wait` instead of polling.
 */
export class EventRing implements EventSink {
  private readonly slots: (KukeonEvent | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly waiters = new ChangeWaiters();

  constructor(
    readonly capacity = DEFAULT_EVENT_CAPACITY,
    private readonly now: () => Date = () => new Date(),
    /** Told of every event as it is stored (the web view's live stream). */
    private readonly listeners: ((e: KukeonEvent) => void)[] = [],
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('event ring capacity must be ≥ 1');
    this.slots = new Array<KukeonEvent | undefined>(capacity);
  }

  emit(input: EventInput): void {
    const event: KukeonEvent = {
      ...input,
      type: input.type ?? 'Normal',
      seq: ++this.seq,
      time: this.now().toISOString(),
    };
    this.slots[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    this.waiters.notify();
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own; the ring keeps going.
      }
    }
  }

  /** Adds a listener told of every later event; returns its removal. */
  listen(fn: (e: KukeonEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The sequence number of the last event (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Kept events that match, oldest first. */
  list(filter: EventFilter = {}): KukeonEvent[] {
    const out: KukeonEvent[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.slots[(this.next + i) % this.capacity];
      if (e && matches(e, filter)) out.push(e);
    }
    return out;
  }

  /**
   * Resolves once an event after `afterSeq` exists or `timeoutMs` passed (a long poll: a
   * follower's call returns as soon as something happens, without polling the daemon).
   */
  wait(afterSeq: number, timeoutMs: number): Promise<void> {
    return this.waiters.wait(() => this.seq > afterSeq, timeoutMs);
  }
}

function matches(e: KukeonEvent, f: EventFilter): boolean {
  if (f.afterSeq !== undefined && e.seq <= f.afterSeq) return false;
  if (f.sinceMs !== undefined && Date.parse(e.time) < f.sinceMs) return false;
  // A scope filter keeps the events of that scope and below, and events without that field
  // only when they are about a wider object that contains it (never: an event without a realm
  // is about the daemon or an image and is shown only unfiltered).
  if (f.realm !== undefined && e.realm !== f.realm) return false;
  if (f.space !== undefined && e.space !== f.space) return false;
  if (f.stack !== undefined && e.stack !== f.stack) return false;
  if (f.cell !== undefined && e.cell !== f.cell) return false;
  return true;
}
