/**
 * Gives the memory a burst of work freed back to the kernel once the burst is over. V8 keeps the
 * heap pages a burst grew into until its memory reducer gets round to them (seconds later, if at
 * all while requests keep trickling in), and glibc keeps freed memory in its arenas; so after an
 * apply of many cells kukeond would hold tens of MB it no longer uses. `touch()` after each
 * request and reconcile tick; once nothing touched it for `quietMs` (and at most once per
 * `minIntervalMs`, so a client polling every second does not buy a full GC each time) `trim`
 * runs: a full GC when the daemon runs with --expose-gc, then malloc_trim.
 */
export class MemoryTrimmer {
  private timer: NodeJS.Timeout | undefined;
  private lastTrim = -Infinity;

  constructor(
    private readonly trim: () => unknown,
    private readonly quietMs = 1_000,
    private readonly minIntervalMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  touch(): void {
    clearTimeout(this.timer);
    const wait = Math.max(this.quietMs, this.lastTrim + this.minIntervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastTrim = this.now();
      this.trim();
    }, wait);
    // Never the reason the daemon stays alive.
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A full GC (when node exposes it: kukeond's --expose-gc), then the allocator's trim. */
export function releaseMemory(mallocTrim: () => unknown): void {
  (globalThis as { gc?: () => void }).gc?.();
  mallocTrim();
}
