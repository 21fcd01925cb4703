import { CodedError, type CodeOf } from '../../errors.js';

/**
 * Stable codes for every way a container spec can be refused. The runner surfaces them as the
 * cause of a create failure; callers test `code`, never the message.
 */
export const OciErrorCode = {
  /** `user` names a user that the image's /etc/passwd does not have (or the file is missing). */
  UserNotFound: 'OCI_USER_NOT_FOUND',
  /** `user` names a group that the image's /etc/group does not have. */
  GroupNotFound: 'OCI_GROUP_NOT_FOUND',
  /** `user` is not one of uid, uid:gid, name, name:group (and mixes). */
  InvalidUser: 'OCI_INVALID_USER',
  /** A capability name that the kernel capability list does not know. */
  UnknownCapability: 'OCI_UNKNOWN_CAPABILITY',
  /** A securityOpts entry with an unknown key, a missing value or a bad boolean. */
  InvalidSecurityOpt: 'OCI_INVALID_SECURITY_OPT',
  /** A seccomp profile file that cannot be read or is not a JSON object. */
  InvalidSeccompProfile: 'OCI_INVALID_SECCOMP_PROFILE',
  /** A device path that does not exist on the host or is not a character/block device. */
  DeviceNotFound: 'OCI_DEVICE_NOT_FOUND',
  /** A volume or tmpfs entry without a usable target/source, or with an unknown kind. */
  InvalidMount: 'OCI_INVALID_MOUNT',
  /** The cgroups path is not absolute (a relative one follows containerd's own cgroup). */
  InvalidCgroupsPath: 'OCI_INVALID_CGROUPS_PATH',
  /** Neither the container nor the image gives a command to run. */
  NoCommand: 'OCI_NO_COMMAND',
  /** A numeric field (resources, sizes) that is negative or not an integer. */
  InvalidValue: 'OCI_INVALID_VALUE',
} as const;

export type OciErrorCode = CodeOf<typeof OciErrorCode>;

export class OciSpecError extends CodedError<OciErrorCode> {}
