/**
 * The long poll of the daemon's followed lists (the event ring, the pull board): a follower's
 * call waits until something newer than what it saw exists, or its time is up, instead of polling.
 */
export class ChangeWaiters {
  private waiters = new Set<() => void>();

  /** Resolves once `changed()` holds after a notify, or after `timeoutMs`. */
  wait(changed: () => boolean, timeoutMs: number): Promise<void> {
    if (changed() || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.waiters.add(done);
    });
  }

  /** Wakes every waiting follower (each re-reads what changed). */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w();
  }
}
