import { ErrorCode } from '../../error-codes.js';
import { assertContainerdIdentifier } from './containerd-identifier.js';
import { namePart } from './name-part.js';
import { NamingError } from './naming-error.js';

/** The last part of every root container's containerd ID, whatever the root's spec `id` is. */
export const ROOT_CONTAINER_SUFFIX = 'root';

/** `<space>_<stack>_<cellId>_root`: the containerd ID of a cell's root container. */
export function rootContainerdId(space: string, stack: string, cellId: string): string {
  return compose(space, stack, cellId, ROOT_CONTAINER_SUFFIX);
}

/** `<space>_<stack>_<cellId>_<containerId>`: the containerd ID of a workload container. */
export function workloadContainerdId(
  space: string,
  stack: string,
  cellId: string,
  containerId: string,
): string {
  return compose(space, stack, cellId, namePart('container', containerId));
}

export interface ContainerdIdParts {
  space: string;
  stack: string;
  cellId: string;
  /** `root` for a root container. */
  containerId: string;
  isRoot: boolean;
}

/**
 * The one parser of containerd IDs (the original parsed them in several places). Works because
 * no part may contain `_`. Throws INVALID_IDENTIFIER for anything that is not four parts.
 */
export function parseContainerdId(id: string): ContainerdIdParts {
  const parts = id.split('_');
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    throw new NamingError(
      ErrorCode.INVALID_IDENTIFIER,
      `"${id}" is not a kukeon container ID (expected <space>_<stack>_<cell>_<container>)`,
    );
  }
  const [space, stack, cellId, containerId] = parts;
  return { space, stack, cellId, containerId, isRoot: containerId === ROOT_CONTAINER_SUFFIX };
}

function compose(space: string, stack: string, cellId: string, last: string): string {
  const id = [namePart('space', space), namePart('stack', stack), namePart('cell', cellId), last].join('_');
  return assertContainerdIdentifier('container ID', id);
}
