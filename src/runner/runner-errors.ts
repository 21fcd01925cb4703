import { ErrorCode } from '../error-codes.js';
import { CodedError } from '../errors.js';

/** A runner operation refused or failed; the code says which (src/error-codes.ts). */
export class RunnerError extends CodedError {}

/** `<what>: <cause message>`, keeping the cause, as the original wraps its sentinels. */
export function wrapError(code: ErrorCode, what: string, cause: unknown): RunnerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RunnerError(code, `${what}: ${detail}`, { cause });
}
