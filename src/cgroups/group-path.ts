import { ErrorCode } from '../error-codes.js';
import { CgroupError } from './cgroup-error.js';

/**
 * Splits an absolute group path (`/kukeon/r/s`) into segments, refusing anything that could
 * leave the hierarchy (`..`), alias (`.`, empty segments) or name the hierarchy root itself.
 */
export function groupSegments(groupPath: string): string[] {
  if (!groupPath.startsWith('/')) {
    throw new CgroupError(ErrorCode.CGROUP_INVALID_PATH, `cgroup path "${groupPath}" must be absolute`);
  }
  const segments = groupPath.split('/').slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
  if (segments.length === 0) {
    throw new CgroupError(
      ErrorCode.CGROUP_INVALID_PATH,
      `cgroup path "${groupPath}" names the hierarchy root`,
    );
  }
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || /[\0\n]/.test(s)) {
      throw new CgroupError(
        ErrorCode.CGROUP_INVALID_PATH,
        `cgroup path "${groupPath}" has an invalid segment "${s}"`,
      );
    }
  }
  return segments;
}

/** The normalised form (`/a/b`, no trailing slash). */
export function normalizeGroupPath(groupPath: string): string {
  return '/' + groupSegments(groupPath).join('/');
}

/** True when `groupPath` is `root` or below it (both normalised). */
export function isWithin(root: string, groupPath: string): boolean {
  return groupPath === root || groupPath.startsWith(root + '/');
}
