/**
 * Gives the memory a burst of work freed back to the kernel once the burst is over. glibc keeps
 * freed memory in its arenas (one per thread that allocated: V8's compiler threads, libuv's
 * pool), so after an apply of many cells kukeond would hold tens of MB it no longer uses until
 * the same work came again. `touch()` after each request and reconcile tick; the trim runs once
 * nothing touched it for `quietMs` (malloc_trim walks every arena: not something to do per call).
 */
export class MemoryTrimmer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly trim: () => unknown,
    private readonly quietMs = 1_000,
  ) {}

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.trim();
    }, this.quietMs);
    // Never the reason the daemon stays alive.
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
