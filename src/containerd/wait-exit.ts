import type { ContainerdClient } from './client.js';
import { isNotFound, isUnavailable } from './errors.js';
import type { ExitResult } from './tasks.js';
import type { Scope } from './types.js';

export interface WaitForExitOptions {
  execId?: string;
  /** Stops waiting; the promise then rejects with the call's error. */
  signal?: AbortSignal;
  /** Longest pause between re-issued Waits while containerd is unreachable (default 2 s). */
  retryMaxMs?: number;
  /** Called each time the Wait is re-issued after containerd came back. */
  onRetry?: (attempt: number) => void;
}

/**
 * Tasks.Wait that survives containerd restarts: an in-flight Wait fails with UNAVAILABLE when
 * the daemon goes away, so it is re-issued until the daemon answers. Wait on a
 * task that exited meanwhile returns at once. Resolves undefined when the task is gone
 * (deleted, or cleaned up by containerd because its shim died while the daemon was down).
 */
export async function waitForExit(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
  opts: WaitForExitOptions = {},
): Promise<ExitResult | undefined> {
  let attempt = 0;
  for (;;) {
    try {
      return await client.tasks.wait(scope, containerId, { execId: opts.execId, signal: opts.signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isUnavailable(err) || opts.signal?.aborted) throw err;
      attempt++;
      const delay = Math.min(opts.retryMaxMs ?? 2000, 50 * 2 ** Math.min(attempt, 6));
      await new Promise((r) => setTimeout(r, delay));
      if (opts.signal?.aborted) throw err;
      opts.onRetry?.(attempt);
    }
  }
}
