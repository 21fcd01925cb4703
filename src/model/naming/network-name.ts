import { ErrorCode } from '../../error-codes.js';
import { namePart } from './name-part.js';
import { NamingError } from './naming-error.js';

/**
 * CNI network name of a space: `<realm>-<space>` (both trimmed, both required). Kept exactly as
 * the original so bridge names (`SafeBridgeName` of this) match existing hosts.
 */
export function networkName(realm: string, space: string): string {
  return `${namePart('realm', realm)}-${namePart('space', space)}`;
}

export interface SpaceRef {
  realm: string;
  space: string;
}

/**
 * The original's defect: `-` is allowed in names, so realm `a-b`/space `c` and
 * realm `a`/space `b-c` both get network `a-b-c` and therefore share one bridge. Rather than
 * change the name format (which would rename every existing bridge), we refuse the second space:
 * returns the existing space whose network name equals the candidate's, if any.
 */
export function findNetworkNameCollision(
  candidate: SpaceRef,
  existing: Iterable<SpaceRef>,
): SpaceRef | undefined {
  const name = networkName(candidate.realm, candidate.space);
  const realm = candidate.realm.trim();
  const space = candidate.space.trim();
  for (const other of existing) {
    const sameSpace = other.realm.trim() === realm && other.space.trim() === space;
    if (!sameSpace && networkName(other.realm, other.space) === name) return other;
  }
  return undefined;
}

/** Throws NETWORK_NAME_COLLISION when `candidate` would share a network (and bridge) with another space. */
export function assertNoNetworkNameCollision(candidate: SpaceRef, existing: Iterable<SpaceRef>): void {
  const other = findNetworkNameCollision(candidate, existing);
  if (other) {
    const name = networkName(candidate.realm, candidate.space);
    throw new NamingError(
      ErrorCode.NETWORK_NAME_COLLISION,
      `space "${candidate.space.trim()}" in realm "${candidate.realm.trim()}" would use CNI network "${name}", ` +
        `already used by space "${other.space.trim()}" in realm "${other.realm.trim()}"; rename one of them`,
    );
  }
}
