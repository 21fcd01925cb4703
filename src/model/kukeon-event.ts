/**
 * What kukeond records of what happened (docs/events.md): state transitions, restarts, OOM
 * kills, apply/delete results, image pulls, reconcile repairs. Anything below the daemon that
 * wants to report something calls `EventSink.emit`; the daemon keeps the last events in a
 * bounded ring (`kuke events`). Without a daemon the sink is absent and nothing is kept.
 */

/** Which object an event is about. */
export type EventObjectKind =
  'Realm' | 'Space' | 'Stack' | 'Cell' | 'Container' | 'Volume' | 'Secret' | 'Image' | 'Daemon';

/** What a caller hands to `emit`. Scope fields name the object (and its parents) when it has them. */
export interface EventInput {
  /** `Warning` for failures, kills and repairs of something broken; `Normal` otherwise. */
  type?: 'Normal' | 'Warning';
  /** One CamelCase word: `Started`, `Exited`, `OOMKilled`, `Restarted`, `Applied`, `Pulled`... */
  reason: string;
  kind: EventObjectKind;
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
  container?: string;
  /** The object's own name when it is not one of the scope fields (an image reference). */
  name?: string;
  message: string;
}

/** An event as the ring keeps and serves it. */
export interface KukeonEvent extends EventInput {
  type: 'Normal' | 'Warning';
  /** Increases by one per event over the daemon's life (a follower asks for what is after it). */
  seq: number;
  /** RFC 3339 with milliseconds. */
  time: string;
}

/** The emitter API: fire and forget, never throws, never blocks. */
export interface EventSink {
  emit(event: EventInput): void;
}
