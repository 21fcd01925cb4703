/**
 * Runs egress table edits of this process one at a time: the check-then-insert steps on the
 * shared top-level chains would otherwise race between two spaces ensured concurrently.
 */
let tail: Promise<unknown> = Promise.resolve();

export function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}
