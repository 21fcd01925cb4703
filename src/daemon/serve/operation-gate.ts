/**
 * Keeps the daemon's background passes from running *during* a request. The runner's recovery
 * treats every pending intent as interrupted, but an intent is also pending while its request is
 * still running; a tick that "finished" it concurrently could resurrect a resource whose create
 * is being rolled back, or persist a stale snapshot over a concurrent update. Requests run
 * `shared`; a pass runs `whenIdle`: it starts only at an instant with no request in flight and
 * holds new requests back until it is done. It never waits behind a long request (an image
 * load): after `waitMs` it gives up and the pass is retried on the next tick.
 */
export class OperationGate {
  private active = 0;
  private exclusive: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  /** Requests in flight. */
  get inFlight(): number {
    return this.active;
  }

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      if (this.active === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  /** Runs `fn` alone; resolves `{ ran: false }` when requests kept running for `waitMs`. */
  async whenIdle<T>(fn: () => Promise<T>, waitMs: number): Promise<{ ran: true; value: T } | { ran: false }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      while (this.exclusive) await this.exclusive;
      if (this.active === 0) break;
      const left = deadline - Date.now();
      if (left <= 0) return { ran: false };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Checked and claimed in the same turn of the event loop: no request can slip in between.
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.exclusive = undefined;
      release();
    }
  }
}
