import { ErrorCode } from '../../error-codes.js';
import { NamingError } from './naming-error.js';

/**
 * Trims one name part of a derived identifier and rejects what would make the identifier
 * ambiguous: empty parts, `_` (the containerd-ID separator) and `/` (a path separator).
 * `kind` names the part in the message (`space`, `stack`, `cell`, `container`, `realm`).
 */
export function namePart(kind: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') {
    throw new NamingError(ErrorCode.INVALID_NAME, `${kind} name is required`);
  }
  if (trimmed.includes('_') || trimmed.includes('/')) {
    throw new NamingError(
      ErrorCode.INVALID_NAME,
      `${kind} name "${trimmed}" contains disallowed character (must not contain '_' or '/')`,
    );
  }
  return trimmed;
}
