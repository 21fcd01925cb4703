import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivateContainerd } from '../containerd.js';

/**
 * Stops a test file's private containerd. Works around scripts/containerd-private.sh `stop`
 * exiting 1 when nothing is left mounted (its final `grep | while` pipeline fails under
 * pipefail): containerd is stopped by then, but the helper skips removing the directory. We
 * check the daemon is gone and remove the directory ourselves. Reported to the lead.
 */
export function stopContainerd(ctd: PrivateContainerd): void {
  const pidFile = join(ctd.dir, 'containerd.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  try {
    ctd.stop();
  } catch (err) {
    if (pid !== undefined && alive(pid)) throw err;
    if (process.env.KUKEON_TEST_CONTAINERD_DIR !== ctd.dir) rmSync(ctd.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
