import { ErrorCode } from '../error-codes.js';
import { checkName, type NameKind } from '../api/index.js';
import { RunnerError } from './runner-errors.js';

const requiredCode: Record<NameKind, ErrorCode> = {
  realm: ErrorCode.REALM_NAME_REQUIRED,
  space: ErrorCode.SPACE_NAME_REQUIRED,
  stack: ErrorCode.STACK_NAME_REQUIRED,
  cell: ErrorCode.CELL_NAME_REQUIRED,
  container: ErrorCode.INVALID_NAME,
};

/**
 * Trims and validates a resource name before anything touches the host: an empty
 * name is `<kind> name is required`, a bad one names the disallowed shape. Returns the trimmed name.
 */
export function validName(kind: NameKind, raw: string | undefined): string {
  const name = (raw ?? '').trim();
  const problem = checkName(kind, name);
  if (problem !== undefined) {
    throw new RunnerError(name === '' ? requiredCode[kind] : ErrorCode.INVALID_NAME, problem);
  }
  return name;
}

/** Scope segments of each level in the metadata tree (`data/<realm>/<space>/<stack>/<cell>`). */
export const scopes = {
  realm: (realm: string): string[] => [realm],
  space: (realm: string, space: string): string[] => [realm, space],
  stack: (realm: string, space: string, stack: string): string[] => [realm, space, stack],
  cell: (realm: string, space: string, stack: string, cell: string): string[] => [realm, space, stack, cell],
};
