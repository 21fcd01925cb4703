/**
 * In-process async mutex keyed by resource (the per-cell lifecycle mutex of docs/store.md). File locks
 * guard one short read or write; this one serialises whole multi-step operations of one
 * resource inside one process. Entries are reference-counted and dropped when unused, so the
 * map does not grow with every cell ever touched.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, { tail: Promise<void>; refs: number }>();

  /** Number of keys currently held or waited on (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }

  /** True while some task holds or waits for `key`. */
  isLocked(key: string | readonly string[]): boolean {
    return this.tails.has(keyOf(key));
  }

  /** Waits for `key`, returns the release function. Calling release twice is a no-op. */
  async acquire(key: string | readonly string[]): Promise<() => void> {
    const k = keyOf(key);
    let entry = this.tails.get(k);
    if (entry === undefined) {
      entry = { tail: Promise.resolve(), refs: 0 };
      this.tails.set(k, entry);
    }
    entry.refs++;
    const previous = entry.tail;
    let open!: () => void;
    const mine = new Promise<void>((resolve) => (open = resolve));
    entry.tail = previous.then(() => mine);
    await previous;
    const held = entry;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open();
      if (--held.refs === 0 && this.tails.get(k) === held) this.tails.delete(k);
    };
  }

  /** Runs `fn` with `key` held; released however `fn` ends. */
  async run<T>(key: string | readonly string[], fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** Keys are joined with NUL, which no validated name contains (realm\0space\0...). */
function keyOf(key: string | readonly string[]): string {
  return typeof key === 'string' ? key : key.map((s) => s.trim()).join('\0');
}
