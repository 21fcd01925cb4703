import { EventStream, type EventStreamOptions } from './event-stream.js';
import type { Rpc } from './rpc.js';

/** The events service. Subscribe takes no namespace header: filter explicitly. */
export class EventsApi {
  constructor(private readonly rpc: Rpc) {}

  /**
   * A subscription that survives containerd restarts: it resubscribes by itself and calls
   * `onReconnect` each time, so the caller can reconcile (events missed while down are lost).
   */
  subscribe(opts: EventStreamOptions): EventStream {
    return new EventStream(this.rpc, opts);
  }
}
