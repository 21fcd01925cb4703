import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import { flock, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN } from 'kukeon-native';

import { isErrno, lockTimeout } from './store-errors.js';

export type LockMode = 'shared' | 'exclusive';

export interface FileLockOptions {
  /** Create the lock file when missing (writers); readers probing a missing file pass false. */
  create?: boolean;
  /** Mode of a created lock file (default 0644, docs/store.md). */
  fileMode?: number;
  /** Give up after this long with STORE_LOCK_TIMEOUT (default 10 s). */
  timeoutMs?: number;
}

/** A held flock(2). `release` is idempotent; the kernel also drops it if the process dies. */
export interface FileLock {
  readonly path: string;
  readonly mode: LockMode;
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// Polling backoff while another holder has the lock: starts fast (the common case is a short
// metadata write), caps low enough that a waiter notices a release within a few milliseconds.
const FIRST_BACKOFF_MS = 1;
const MAX_BACKOFF_MS = 16;

/**
 * Takes an advisory flock on `path` (the `metadata.json.lock` sidecar of docs/store.md). flock locks
 * belong to the open file description, so two opens in one process exclude each other just as
 * two processes do, and a SIGKILLed holder's lock disappears with its descriptors.
 *
 * Returns undefined when `create` is false and the file does not exist.
 * The wait is a non-blocking try plus a timer, so neither the event loop nor a libuv pool
 * thread is ever parked in the kernel.
 */
export async function acquireFileLock(
  path: string,
  mode: LockMode,
  options: FileLockOptions = {},
): Promise<FileLock | undefined> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const op = (mode === 'exclusive' ? LOCK_EX : LOCK_SH) | LOCK_NB;
  for (;;) {
    let handle: FileHandle;
    try {
      // flock needs no write access, so a reader that may only read the tree can still lock.
      // (libuv adds O_CLOEXEC itself.)
      const flags = constants.O_RDONLY | (options.create ? constants.O_CREAT : 0);
      handle = await open(path, flags, options.fileMode ?? 0o644);
    } catch (err) {
      if (!options.create && isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    let backoff = FIRST_BACKOFF_MS;
    try {
      while (!flock(handle.fd, op)) {
        if (Date.now() >= deadline) throw lockTimeout(path, timeoutMs);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    } catch (err) {
      await handle.close();
      throw err;
    }
    // A deleter unlinks the lock file while holding it; whoever waited on that old inode now
    // holds a lock nobody else can see. Only a lock on the inode currently at `path` counts.
    if (await sameInode(handle, path)) {
      if (options.fileMode !== undefined && options.create) await handle.chmod(options.fileMode);
      return heldLock(path, mode, handle);
    }
    await handle.close();
    if (Date.now() >= deadline) throw lockTimeout(path, timeoutMs);
  }
}

/** Runs `fn` while holding the lock; the lock is released however `fn` ends. */
export async function withFileLock<T>(
  path: string,
  mode: LockMode,
  options: FileLockOptions & { create: true },
  fn: () => Promise<T>,
): Promise<T> {
  const lock = (await acquireFileLock(path, mode, options)) as FileLock;
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

async function sameInode(handle: FileHandle, path: string): Promise<boolean> {
  const [held, current] = await Promise.all([
    handle.stat(),
    stat(path).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }),
  ]);
  return current !== undefined && current.ino === held.ino && current.dev === held.dev;
}

function heldLock(path: string, mode: LockMode, handle: FileHandle): FileLock {
  let released = false;
  return {
    path,
    mode,
    async release() {
      if (released) return;
      released = true;
      // Unlock explicitly before close: close would drop it too, but only once every
      // duplicate of the descriptor is gone.
      try {
        flock(handle.fd, LOCK_UN);
      } finally {
        await handle.close();
      }
    },
  };
}
