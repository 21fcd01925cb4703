/**
 * Every stable error code kukeon raises, in one table (docs/errors.md). A code is part of the
 * interface: scripts and the daemon's error envelope test `err.code`, never the message. The key
 * is the code itself, so `ErrorCode.IMAGE_NOT_FOUND` in the source reads as what a user sees.
 * Ordered by the layer that raises it, from the store up to the controller.
 */
export const ErrorCode = {
  /** The document (or intent) does not exist. */
  STORE_NOT_FOUND: 'STORE_NOT_FOUND',
  /** A file exists but is not a valid document (torn, truncated, hand-edited, checksum mismatch). */
  STORE_CORRUPT: 'STORE_CORRUPT',
  /** Compare-and-swap or generation check failed: the caller worked from an outdated copy. */
  STORE_STALE: 'STORE_STALE',
  /** Reading a file failed for a reason other than its absence (permissions, I/O error). */
  STORE_READ_FAILED: 'STORE_READ_FAILED',
  /** A write, rename, fsync or delete failed at the file-system level. */
  STORE_WRITE_FAILED: 'STORE_WRITE_FAILED',
  /** A path segment was empty, `.`/`..`, contained `/` or NUL, or used a reserved name. */
  STORE_INVALID_PATH: 'STORE_INVALID_PATH',
  /** A file lock could not be taken within the timeout (another live process holds it). */
  STORE_LOCK_TIMEOUT: 'STORE_LOCK_TIMEOUT',

  /** A name part is empty after trimming, or contains `_` or `/`. */
  INVALID_NAME: 'INVALID_NAME',
  /** A composed containerd identifier (namespace or container ID) breaks containerd's rule. */
  INVALID_IDENTIFIER: 'INVALID_IDENTIFIER',
  /** A namespace does not belong to kukeon (wrong suffix or empty realm part). */
  NOT_KUKEON_NAMESPACE: 'NOT_KUKEON_NAMESPACE',
  /** The configured bridge prefix makes interface names longer than the kernel allows. */
  INVALID_BRIDGE_PREFIX: 'INVALID_BRIDGE_PREFIX',
  /** Two spaces would share one CNI network name (and so one bridge). */
  NETWORK_NAME_COLLISION: 'NETWORK_NAME_COLLISION',
  /** The configured subnet pool is not an IPv4 CIDR shorter than /24. */
  INVALID_SUBNET_POOL: 'INVALID_SUBNET_POOL',
  /** Every /24 of the pool is allocated. */
  SUBNET_EXHAUSTED: 'SUBNET_EXHAUSTED',
  /** The space's own network.json exists but cannot be used. */
  SUBNET_STATE_CORRUPT: 'SUBNET_STATE_CORRUPT',
  /** The cgroup root setting is not usable. */
  INVALID_CGROUP_ROOT: 'INVALID_CGROUP_ROOT',

  CONTAINERD_ERROR: 'CONTAINERD_ERROR',
  CONTAINERD_NOT_FOUND: 'CONTAINERD_NOT_FOUND',
  CONTAINERD_ALREADY_EXISTS: 'CONTAINERD_ALREADY_EXISTS',
  CONTAINERD_FAILED_PRECONDITION: 'CONTAINERD_FAILED_PRECONDITION',
  CONTAINERD_INVALID_ARGUMENT: 'CONTAINERD_INVALID_ARGUMENT',
  CONTAINERD_UNAVAILABLE: 'CONTAINERD_UNAVAILABLE',
  CONTAINERD_TASK_ALIVE: 'CONTAINERD_TASK_ALIVE',
  CONTAINERD_TIMEOUT: 'CONTAINERD_TIMEOUT',

  /** No usable cgroup filesystem under the configured mount. */
  CGROUP_UNAVAILABLE: 'CGROUP_UNAVAILABLE',
  /** A group path is malformed (relative, `..`, empty segment) or is the hierarchy root. */
  CGROUP_INVALID_PATH: 'CGROUP_INVALID_PATH',
  /** A mutating call named a group outside kukeon's root cgroup. */
  CGROUP_OUTSIDE_ROOT: 'CGROUP_OUTSIDE_ROOT',
  /** Processes are still inside the group (see `pids`). */
  CGROUP_BUSY: 'CGROUP_BUSY',
  /** A cgroup file or directory could not be written / created / removed. */
  CGROUP_WRITE_FAILED: 'CGROUP_WRITE_FAILED',

  /** A plugin binary is not in any of the configured plugin directories. */
  CNI_PLUGIN_NOT_FOUND: 'CNI_PLUGIN_NOT_FOUND',
  /** A plugin ran and reported an error (its JSON error object is on the error). */
  CNI_PLUGIN_ERROR: 'CNI_PLUGIN_ERROR',
  /** A plugin could not be run, timed out, or printed something that is not CNI JSON. */
  CNI_EXEC_FAILED: 'CNI_EXEC_FAILED',
  /** A host tool (`ip`, `iptables`, `nsenter`) could not be run. */
  CNI_HOST_COMMAND_FAILED: 'CNI_HOST_COMMAND_FAILED',
  /** A conflist is unreadable or not a valid network configuration list. */
  CNI_INVALID_CONFIG: 'CNI_INVALID_CONFIG',
  /** A conflist could not be written. */
  CNI_CONFIG_WRITE_FAILED: 'CNI_CONFIG_WRITE_FAILED',
  /** A conflist has no `bridge` plugin. */
  CNI_BRIDGE_PLUGIN_MISSING: 'CNI_BRIDGE_PLUGIN_MISSING',
  /** No conflist at the given path. */
  CNI_NETWORK_NOT_FOUND: 'CNI_NETWORK_NOT_FOUND',
  /** A plugin does not support the conflist's `cniVersion`. */
  CNI_VERSION_UNSUPPORTED: 'CNI_VERSION_UNSUPPORTED',
  /** CHECK (or a reuse decision) needs a cached ADD result and there is none. */
  CNI_NO_CACHED_RESULT: 'CNI_NO_CACHED_RESULT',
  /** The interface already exists in the netns and no cached result says it is ours. */
  CNI_VETH_EXISTS: 'CNI_VETH_EXISTS',
  /** ADD succeeded but returned no IPv4 address. */
  CNI_NO_IPV4: 'CNI_NO_IPV4',
  /** An identifier (network name, container ID, interface name) breaks the CNI rules. */
  CNI_INVALID_ARGUMENT: 'CNI_INVALID_ARGUMENT',
  /** bootstrapCni could not create one of its directories (the partial report is attached). */
  CNI_BOOTSTRAP_FAILED: 'CNI_BOOTSTRAP_FAILED',

  /** The policy breaks the validation rules; nothing was touched. */
  EGRESS_INVALID_POLICY: 'EGRESS_INVALID_POLICY',
  /** A host rule resolved to no IPv4 address (or the lookup failed); nothing was touched. */
  EGRESS_RESOLVE_FAILED: 'EGRESS_RESOLVE_FAILED',
  /** iptables refused a change; the previous chain content is still in force. */
  EGRESS_APPLY_FAILED: 'EGRESS_APPLY_FAILED',
  /** A configured chain name is unusable (too long, bad characters). */
  EGRESS_INVALID_CHAIN_NAME: 'EGRESS_INVALID_CHAIN_NAME',

  /** No image record with that name in the namespace. */
  IMAGE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  /** The tarball is not a readable OCI layout or docker save archive (truncated, no index, bad JSON). */
  IMAGE_ARCHIVE_INVALID: 'IMAGE_ARCHIVE_INVALID',
  /** A blob's bytes, size or unpacked diff ID differ from what the archive declares. */
  IMAGE_DIGEST_MISMATCH: 'IMAGE_DIGEST_MISMATCH',
  /** No manifest in the archive matches the host platform. */
  IMAGE_PLATFORM_NOT_FOUND: 'IMAGE_PLATFORM_NOT_FOUND',
  /** The archive's manifests carry no usable image name and none was given. */
  IMAGE_NAME_MISSING: 'IMAGE_NAME_MISSING',
  /** LoadImage was given a relative archive path (the daemon would resolve it against its own cwd). */
  IMAGE_PATH_INVALID: 'IMAGE_PATH_INVALID',
  /** An image reference that cannot be pulled (bad syntax, or under the local-only registry). */
  IMAGE_REFERENCE_INVALID: 'IMAGE_REFERENCE_INVALID',
  /** The registry refused us: no or wrong credentials. */
  REGISTRY_UNAUTHORIZED: 'REGISTRY_UNAUTHORIZED',
  /** The registry has no manifest for the reference (unknown repository or tag). */
  REGISTRY_MANIFEST_UNKNOWN: 'REGISTRY_MANIFEST_UNKNOWN',
  /** The registry cannot be reached (DNS, connection, TLS, timeout) or broke off mid-transfer. */
  REGISTRY_UNREACHABLE: 'REGISTRY_UNREACHABLE',
  /** The registry answered something we cannot use (unexpected status, bad JSON, bad media type). */
  REGISTRY_ERROR: 'REGISTRY_ERROR',

  /** `user` names a user that the image's /etc/passwd does not have (or the file is missing). */
  OCI_USER_NOT_FOUND: 'OCI_USER_NOT_FOUND',
  /** `user` names a group that the image's /etc/group does not have. */
  OCI_GROUP_NOT_FOUND: 'OCI_GROUP_NOT_FOUND',
  /** `user` is not one of uid, uid:gid, name, name:group (and mixes). */
  OCI_INVALID_USER: 'OCI_INVALID_USER',
  /** A capability name that the kernel capability list does not know. */
  OCI_UNKNOWN_CAPABILITY: 'OCI_UNKNOWN_CAPABILITY',
  /** A securityOpts entry with an unknown key, a missing value or a bad boolean. */
  OCI_INVALID_SECURITY_OPT: 'OCI_INVALID_SECURITY_OPT',
  /** A seccomp profile file that cannot be read or is not a JSON object. */
  OCI_INVALID_SECCOMP_PROFILE: 'OCI_INVALID_SECCOMP_PROFILE',
  /** A device path that does not exist on the host or is not a character/block device. */
  OCI_DEVICE_NOT_FOUND: 'OCI_DEVICE_NOT_FOUND',
  /** A volume or tmpfs entry without a usable target/source, or with an unknown kind. */
  OCI_INVALID_MOUNT: 'OCI_INVALID_MOUNT',
  /** The cgroups path is not absolute (a relative one follows containerd's own cgroup). */
  OCI_INVALID_CGROUPS_PATH: 'OCI_INVALID_CGROUPS_PATH',
  /** Neither the container nor the image gives a command to run. */
  OCI_NO_COMMAND: 'OCI_NO_COMMAND',
  /** A numeric field (resources, sizes) that is negative or not an integer. */
  OCI_INVALID_VALUE: 'OCI_INVALID_VALUE',

  REALM_NOT_FOUND: 'REALM_NOT_FOUND',
  SPACE_NOT_FOUND: 'SPACE_NOT_FOUND',
  STACK_NOT_FOUND: 'STACK_NOT_FOUND',
  CELL_NOT_FOUND: 'CELL_NOT_FOUND',
  REALM_NAME_REQUIRED: 'REALM_NAME_REQUIRED',
  SPACE_NAME_REQUIRED: 'SPACE_NAME_REQUIRED',
  STACK_NAME_REQUIRED: 'STACK_NAME_REQUIRED',
  CELL_NAME_REQUIRED: 'CELL_NAME_REQUIRED',
  RESOURCE_HAS_DEPENDENCIES: 'RESOURCE_HAS_DEPENDENCIES',
  BREAKING_UPDATE: 'BREAKING_UPDATE',
  CREATE_REALM: 'CREATE_REALM',
  CREATE_SPACE: 'CREATE_SPACE',
  CREATE_STACK: 'CREATE_STACK',
  DELETE_REALM: 'DELETE_REALM',
  DELETE_SPACE: 'DELETE_SPACE',
  DELETE_STACK: 'DELETE_STACK',
  NETWORK_ALREADY_EXISTS: 'NETWORK_ALREADY_EXISTS',
  CONTAINER_NOT_FOUND: 'CONTAINER_NOT_FOUND',
  CELL_START_FAILED: 'CELL_START_FAILED',
  DELETE_CELL: 'DELETE_CELL',
  INVALID_CELL: 'INVALID_CELL',
  SECRET_FROM_ENV_NOT_SET: 'SECRET_FROM_ENV_NOT_SET',
  SECRET_FROM_FILE_NOT_FOUND: 'SECRET_FROM_FILE_NOT_FOUND',
  SECRET_NOT_SUPPORTED: 'SECRET_NOT_SUPPORTED',
  SECRET_REF_NOT_FOUND: 'SECRET_REF_NOT_FOUND',
  SECRET_STAGING_FAILED: 'SECRET_STAGING_FAILED',
  SECRET_NOT_FOUND: 'SECRET_NOT_FOUND',
  SECRET_IN_USE: 'SECRET_IN_USE',
  SECRET_SCOPE_NOT_FOUND: 'SECRET_SCOPE_NOT_FOUND',
  INVALID_SECRET: 'INVALID_SECRET',
  /** A realm has no registry credential for the server named (docs/images.md). */
  REGISTRY_CREDENTIAL_NOT_FOUND: 'REGISTRY_CREDENTIAL_NOT_FOUND',
  TEMPLATE_SCOPE_NOT_FOUND: 'TEMPLATE_SCOPE_NOT_FOUND',
  BLUEPRINT_NOT_FOUND: 'BLUEPRINT_NOT_FOUND',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  /** A CellConfig whose blueprint or slot fills do not hold (docs/blueprints.md). */
  INVALID_CONFIG: 'INVALID_CONFIG',
  PORT_CONFLICT: 'PORT_CONFLICT',
  VOLUME_NOT_FOUND: 'VOLUME_NOT_FOUND',
  /** Delete of a volume a running cell mounts. */
  VOLUME_IN_USE: 'VOLUME_IN_USE',
  WRITE_VOLUME: 'WRITE_VOLUME',

  /** Attach to a container that is not attachable (or is the root). */
  ATTACH_NOT_SUPPORTED: 'ATTACH_NOT_SUPPORTED',
  /** Attach to an attachable container whose task does not run. */
  ATTACH_TASK_NOT_RUNNING: 'ATTACH_TASK_NOT_RUNNING',
  /** A cell ended an apply Failed or Error (ErrCellReconcileFailed). */
  CELL_RECONCILE_FAILED: 'CELL_RECONCILE_FAILED',
  /** StartCell of a Pending/Unknown cell. */
  CELL_NOT_STARTABLE: 'CELL_NOT_STARTABLE',
  /** A kind or feature this build does not implement yet (cells before the cell runner lands). */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** A cell could not be made from a Blueprint/Config (a parameter, a slot, the name). */
  MATERIALIZE_CELL: 'MATERIALIZE_CELL',
  /** A manifest document of a kind the verb does not accept (delete -f of a Secret). */
  UNKNOWN_KIND: 'UNKNOWN_KIND',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
