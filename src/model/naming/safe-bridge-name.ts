import { ErrorCode } from '../../error-codes.js';
import { fnv1a32Hex } from './fnv1a32.js';
import { NamingError } from './naming-error.js';

/** Linux IFNAMSIZ is 16 including the terminating NUL. */
export const MAX_INTERFACE_NAME = 15;

/**
 * `SafeBridgeName`: `<prefix>` + 8 hex digits of FNV-1a-32(network name), so any network name
 * fits the interface-name limit. Empty input gives empty output (as in the original). The prefix
 * is HostConfig.bridgePrefix (`k-` by default, giving 10 characters).
 */
export function safeBridgeName(networkName: string, prefix = 'k-'): string {
  if (prefix.length + 8 > MAX_INTERFACE_NAME || /[\s/:]/.test(prefix)) {
    throw new NamingError(
      ErrorCode.INVALID_BRIDGE_PREFIX,
      `bridge prefix "${prefix}" is unusable: it must be at most ${MAX_INTERFACE_NAME - 8} characters without spaces, '/' or ':'`,
    );
  }
  if (networkName === '') return '';
  return prefix + fnv1a32Hex(networkName);
}
