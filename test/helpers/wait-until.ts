import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `probe` holds, for tests that wait on timers or other processes: on a loaded
 * machine a timer can fire far later than asked, so tests wait for the condition itself (with a
 * bound generous enough that only a real hang hits it) instead of sleeping a fixed time.
 */
export async function waitUntil(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!probe()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
