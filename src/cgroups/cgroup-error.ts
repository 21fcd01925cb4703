import { CodedError, type CodeOf } from '../errors.js';

export const CgroupErrorCode = {
  /** No usable cgroup filesystem under the configured mount. */
  Unavailable: 'CGROUP_UNAVAILABLE',
  /** A group path is malformed (relative, `..`, empty segment) or is the hierarchy root. */
  InvalidPath: 'CGROUP_INVALID_PATH',
  /** A mutating call named a group outside kukeon's root cgroup. */
  OutsideRoot: 'CGROUP_OUTSIDE_ROOT',
  /** Processes are still inside the group (see `pids`). */
  Busy: 'CGROUP_BUSY',
  /** A cgroup file or directory could not be written / created / removed. */
  WriteFailed: 'CGROUP_WRITE_FAILED',
} as const;

export type CgroupErrorCode = CodeOf<typeof CgroupErrorCode>;

export class CgroupError extends CodedError<CgroupErrorCode> {}

/** `remove` found processes in the group's subtree; `pids` names them (sorted). */
export class CgroupBusyError extends CgroupError {
  readonly groupPath: string;
  readonly pids: readonly number[];

  constructor(groupPath: string, pids: readonly number[]) {
    super(
      CgroupErrorCode.Busy,
      `cgroup ${groupPath} still has ${pids.length} process(es) inside (pids ${pids.join(', ')}); ` +
        `stop them first or remove with force`,
    );
    this.groupPath = groupPath;
    this.pids = pids;
  }
}
