import { ErrorCode } from '../error-codes.js';
import { CodedError } from '../errors.js';

/** A failure of the cgroup managers (codes `CGROUP_*`). */
export class CgroupError extends CodedError {}

/** `remove` found processes in the group's subtree; `pids` names them (sorted). */
export class CgroupBusyError extends CgroupError {
  readonly groupPath: string;
  readonly pids: readonly number[];

  constructor(groupPath: string, pids: readonly number[]) {
    super(
      ErrorCode.CGROUP_BUSY,
      `cgroup ${groupPath} still has ${pids.length} process(es) inside (pids ${pids.join(', ')}); ` +
        `stop them first or remove with force`,
    );
    this.groupPath = groupPath;
    this.pids = pids;
  }
}
