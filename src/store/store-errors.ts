import { KukeonError } from '../errors.js';

/** Stable codes of every error the store raises; callers test `err.code`, never the message. */
export const StoreErrorCode = {
  /** The document (or intent) does not exist. */
  NotFound: 'STORE_NOT_FOUND',
  /** A file exists but is not a valid document (torn, truncated, hand-edited, checksum mismatch). */
  Corrupt: 'STORE_CORRUPT',
  /** Compare-and-swap or generation check failed: the caller worked from an outdated copy. */
  Stale: 'STORE_STALE',
  /** Reading a file failed for a reason other than its absence (permissions, I/O error). */
  ReadFailed: 'STORE_READ_FAILED',
  /** A write, rename, fsync or delete failed at the file-system level. */
  WriteFailed: 'STORE_WRITE_FAILED',
  /** A path segment was empty, `.`/`..`, contained `/` or NUL, or used a reserved name. */
  InvalidPath: 'STORE_INVALID_PATH',
  /** A file lock could not be taken within the timeout (another live process holds it). */
  LockTimeout: 'STORE_LOCK_TIMEOUT',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

/** Every store error carries the file it is about, so a user can find and inspect it. */
export class StoreError extends KukeonError {
  readonly path: string;

  constructor(code: StoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

export function notFound(path: string): StoreError {
  return new StoreError(StoreErrorCode.NotFound, path, `no document at ${path}`);
}

export function corrupt(path: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    StoreErrorCode.Corrupt,
    path,
    `corrupt store file ${path}: ${detail} (inspect or remove it by hand; it is never overwritten silently)`,
    { cause },
  );
}

export function stale(path: string, detail: string): StoreError {
  return new StoreError(
    StoreErrorCode.Stale,
    path,
    `metadata resource changed since prior read: ${path}: ${detail}`,
  );
}

export function writeFailed(path: string, cause: unknown): StoreError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(StoreErrorCode.WriteFailed, path, `failed to write ${path}: ${why}`, {
    cause,
  });
}

export function readFailed(path: string, cause: unknown): StoreError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(StoreErrorCode.ReadFailed, path, `failed to read ${path}: ${why}`, { cause });
}

export function invalidPath(segment: string, why: string): StoreError {
  return new StoreError(
    StoreErrorCode.InvalidPath,
    segment,
    `invalid store path segment ${JSON.stringify(segment)}: ${why}`,
  );
}

export function lockTimeout(path: string, timeoutMs: number): StoreError {
  return new StoreError(
    StoreErrorCode.LockTimeout,
    path,
    `timed out after ${timeoutMs} ms waiting for the lock ${path} (another process holds it)`,
  );
}

/** True when `err` is a Node system error with the given errno code (ENOENT, EEXIST, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
