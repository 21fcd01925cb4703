import { open, readFile, rename, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A cross-process lock: a file created with O_EXCL holding the owner's pid. A lock whose owner
 * is dead is taken over (renamed away first). Known gap: two processes taking over the same
 * stale lock at the same instant can, in a window of microseconds, both believe they hold it;
 * live owners are never broken. Node has no flock(2), hence this.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await takeOverIfStale(lockPath)) continue;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for lock ${lockPath}`, { cause: err });
      }
      await sleep(delay);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function takeOverIfStale(lockPath: string): Promise<boolean> {
  let owner: number;
  try {
    owner = Number((await readFile(lockPath, 'utf8')).trim());
  } catch {
    return true; // vanished (released) or unreadable between open and read: just retry
  }
  // An empty file is a lock being written right now; treat as live.
  if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) return false;
  try {
    await rename(lockPath, `${lockPath}.stale-${process.pid}`);
    await unlink(`${lockPath}.stale-${process.pid}`);
  } catch {
    // someone else took it over first
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
