import { ErrorCode } from '../../error-codes.js';
import { namePart } from './name-part.js';
import { NamingError } from './naming-error.js';

/**
 * cgroup *group paths* (what `status.cgroupPath` stores and what an OCI `linux.cgroupsPath`
 * holds): absolute, relative to each hierarchy's root, never a filesystem path.
 */

/**
 * Normalises the configured root (HostConfig.cgroupRoot): `kukeon`, `/kukeon` and `/kukeon/`
 * all become `/kukeon`. Nested roots (`/a/b`) are allowed; `/`, empty, `.` and `..` segments are not.
 */
export function cgroupRootPath(root: string): string {
  const segments = root
    .trim()
    .split('/')
    .filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..')) {
    throw new NamingError(
      ErrorCode.INVALID_CGROUP_ROOT,
      `cgroup root "${root}" is invalid: it must name a directory below the hierarchy root (e.g. "/kukeon")`,
    );
  }
  return '/' + segments.join('/');
}

export function realmCgroupPath(root: string, realm: string): string {
  return `${cgroupRootPath(root)}/${namePart('realm', realm)}`;
}

export function spaceCgroupPath(root: string, realm: string, space: string): string {
  return `${realmCgroupPath(root, realm)}/${namePart('space', space)}`;
}

export function stackCgroupPath(root: string, realm: string, space: string, stack: string): string {
  return `${spaceCgroupPath(root, realm, space)}/${namePart('stack', stack)}`;
}

/** Uses the cell *name* (the runner uses the ID for containerd IDs and the name for paths). */
export function cellCgroupPath(
  root: string,
  realm: string,
  space: string,
  stack: string,
  cellName: string,
): string {
  return `${stackCgroupPath(root, realm, space, stack)}/${namePart('cell', cellName)}`;
}

/**
 * The OCI `linux.cgroupsPath` of a container: `<cell group path>/<containerd ID>`. Always
 * absolute: with runc's cgroupfs driver a relative path lands under the shim's own cgroup in
 * each v1 hierarchy.
 */
export function containerCgroupsPath(cellGroupPath: string, containerdId: string): string {
  if (!cellGroupPath.startsWith('/')) {
    throw new NamingError(
      ErrorCode.INVALID_CGROUP_ROOT,
      `cell cgroup path "${cellGroupPath}" must be absolute`,
    );
  }
  const id = containerdId.trim();
  if (id === '' || id.includes('/')) {
    throw new NamingError(
      ErrorCode.INVALID_IDENTIFIER,
      `containerd ID "${containerdId}" cannot be a cgroup path segment`,
    );
  }
  return `${cellGroupPath.replace(/\/+$/, '')}/${id}`;
}
