import { ErrorCode } from '../error-codes.js';
import { CodedError, KukeonError } from '../errors.js';

/**
 * The controller's own errors. Where the daemon's envelope knows a code (REALM_NOT_FOUND,
 * RESOURCE_HAS_DEPENDENCIES, …) the controller uses the runner's, so a client sees one identity
 * whichever layer noticed.
 */
export class ControllerError extends CodedError {}

/** `<what>: <cause>`, keeping the cause (the envelope picks the innermost mapped code). */
export function wrapControllerError(code: ErrorCode, what: string, cause: unknown): ControllerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ControllerError(code, `${what}: ${detail}`, { cause });
}

/** True for the not-found codes of every level (used by delete -f: "not found" is not a failure). */
export function isNotFoundError(err: unknown): boolean {
  if (!(err instanceof KukeonError)) return false;
  return (
    err.code === ErrorCode.REALM_NOT_FOUND ||
    err.code === ErrorCode.SPACE_NOT_FOUND ||
    err.code === ErrorCode.STACK_NOT_FOUND ||
    err.code === ErrorCode.CELL_NOT_FOUND ||
    err.code === ErrorCode.VOLUME_NOT_FOUND ||
    err.code === ErrorCode.SECRET_NOT_FOUND ||
    err.code === ErrorCode.BLUEPRINT_NOT_FOUND ||
    err.code === ErrorCode.CONFIG_NOT_FOUND
  );
}

export const notFound = {
  realm: (realm: string) => new ControllerError(ErrorCode.REALM_NOT_FOUND, `realm "${realm}" not found`),
  space: (realm: string, space: string) =>
    new ControllerError(ErrorCode.SPACE_NOT_FOUND, `space "${space}" not found in realm "${realm}"`),
  stack: (realm: string, space: string, stack: string) =>
    new ControllerError(
      ErrorCode.STACK_NOT_FOUND,
      `stack "${stack}" not found in realm "${realm}", space "${space}"`,
    ),
  cell: (realm: string, space: string, stack: string, cell: string) =>
    new ControllerError(
      ErrorCode.CELL_NOT_FOUND,
      `cell "${cell}" not found in realm "${realm}", space "${space}", stack "${stack}"`,
    ),
};

/**
 * `failed to delete realm: resource has child resources: realm "r" has 2 space(s).
 * Use --cascade to delete them or --force to skip validation` (purge says "purge").
 */
export function hasChildren(
  verb: 'delete' | 'purge',
  kind: 'realm' | 'space' | 'stack',
  name: string,
  count: number,
  childKind: 'space' | 'stack' | 'cell',
): ControllerError {
  return new ControllerError(
    ErrorCode.RESOURCE_HAS_DEPENDENCIES,
    `failed to ${verb} ${kind}: resource has child resources: ${kind} "${name}" has ${count} ${childKind}(s). ` +
      `Use --cascade to ${verb} them or --force to skip validation`,
  );
}
