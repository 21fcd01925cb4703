import { ErrorCode } from '../../error-codes.js';
import { NamingError } from './naming-error.js';

/** containerd's rule for namespaces and container IDs (identifiers.Validate). */
export const CONTAINERD_IDENTIFIER_RE = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
export const CONTAINERD_IDENTIFIER_MAX = 76;

/**
 * Checks a composed identifier up front, so a bad name fails with a clear message here rather
 * than deep inside provisioning when containerd rejects it. `what` names it in the message.
 */
export function assertContainerdIdentifier(what: string, id: string): string {
  if (id.length > CONTAINERD_IDENTIFIER_MAX) {
    throw new NamingError(
      ErrorCode.INVALID_IDENTIFIER,
      `${what} "${id}" is ${id.length} characters long; containerd allows at most ${CONTAINERD_IDENTIFIER_MAX} (use shorter names)`,
    );
  }
  if (!CONTAINERD_IDENTIFIER_RE.test(id)) {
    throw new NamingError(
      ErrorCode.INVALID_IDENTIFIER,
      `${what} "${id}" is not a valid containerd identifier (letters and digits, separated by single '.', '_' or '-')`,
    );
  }
  return id;
}
