import { ErrorCode } from '../error-codes.js';
import { KukeonError } from '../errors.js';

/** Every store error carries the file it is about, so a user can find and inspect it. */
export class StoreError extends KukeonError {
  readonly path: string;

  constructor(code: ErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

export function notFound(path: string): StoreError {
  return new StoreError(ErrorCode.STORE_NOT_FOUND, path, `no document at ${path}`);
}

export function corrupt(path: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    ErrorCode.STORE_CORRUPT,
    path,
    `corrupt store file ${path}: ${detail} (inspect or remove it by hand; it is never overwritten silently)`,
    { cause },
  );
}

export function stale(path: string, detail: string): StoreError {
  return new StoreError(
    ErrorCode.STORE_STALE,
    path,
    `metadata resource changed since prior read: ${path}: ${detail}`,
  );
}

export function writeFailed(path: string, cause: unknown): StoreError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(ErrorCode.STORE_WRITE_FAILED, path, `failed to write ${path}: ${why}`, {
    cause,
  });
}

export function readFailed(path: string, cause: unknown): StoreError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(ErrorCode.STORE_READ_FAILED, path, `failed to read ${path}: ${why}`, { cause });
}

export function invalidPath(segment: string, why: string): StoreError {
  return new StoreError(
    ErrorCode.STORE_INVALID_PATH,
    segment,
    `invalid store path segment ${JSON.stringify(segment)}: ${why}`,
  );
}

export function lockTimeout(path: string, timeoutMs: number): StoreError {
  return new StoreError(
    ErrorCode.STORE_LOCK_TIMEOUT,
    path,
    `timed out after ${timeoutMs} ms waiting for the lock ${path} (another process holds it)`,
  );
}

/** True when `err` is a Node system error with the given errno code (ENOENT, EEXIST, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
