import { CodedError, type CodeOf } from '../errors.js';

/** Stable codes of every error `src/cni` raises. Callers test `err.code`, never the message. */
export const CniErrorCode = {
  /** A plugin binary is not in any of the configured plugin directories. */
  PluginNotFound: 'CNI_PLUGIN_NOT_FOUND',
  /** A plugin ran and reported an error (its JSON error object is on the error). */
  PluginFailed: 'CNI_PLUGIN_ERROR',
  /** A plugin could not be run, timed out, or printed something that is not CNI JSON. */
  ExecFailed: 'CNI_EXEC_FAILED',
  /** A host tool (`ip`, `iptables`, `nsenter`) could not be run. */
  HostCommandFailed: 'CNI_HOST_COMMAND_FAILED',
  /** A conflist is unreadable or not a valid network configuration list. */
  InvalidConfig: 'CNI_INVALID_CONFIG',
  /** A conflist could not be written. */
  ConfigWriteFailed: 'CNI_CONFIG_WRITE_FAILED',
  /** A conflist has no `bridge` plugin. */
  BridgePluginMissing: 'CNI_BRIDGE_PLUGIN_MISSING',
  /** No conflist at the given path. */
  NetworkNotFound: 'CNI_NETWORK_NOT_FOUND',
  /** A plugin does not support the conflist's `cniVersion`. */
  VersionUnsupported: 'CNI_VERSION_UNSUPPORTED',
  /** CHECK (or a reuse decision) needs a cached ADD result and there is none. */
  NoCachedResult: 'CNI_NO_CACHED_RESULT',
  /** The interface already exists in the netns and no cached result says it is ours. */
  VethExists: 'CNI_VETH_EXISTS',
  /** ADD succeeded but returned no IPv4 address. */
  NoIPv4: 'CNI_NO_IPV4',
  /** An identifier (network name, container ID, interface name) breaks the CNI rules. */
  InvalidArgument: 'CNI_INVALID_ARGUMENT',
  /** bootstrapCni could not create one of its directories (the partial report is attached). */
  BootstrapFailed: 'CNI_BOOTSTRAP_FAILED',
} as const;

export type CniErrorCodeValue = CodeOf<typeof CniErrorCode>;

/** Well-known CNI error codes (CNI spec "Error" section); plugins use 100+ and 999 for their own. */
export const CniSpecErrorCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IOFailure: 5,
  DecodeFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  Internal: 999,
} as const;

export class CniError extends CodedError<CniErrorCodeValue> {}

export class CniPluginNotFoundError extends CniError {
  constructor(
    readonly plugin: string,
    readonly searchedDirs: readonly string[],
  ) {
    super(
      CniErrorCode.PluginNotFound,
      `CNI plugin "${plugin}" not found in ${searchedDirs.join(', ') || '(no plugin directories)'}; ` +
        'install the standard CNI plugins (containernetworking-plugins) or set cniBinDirs',
    );
  }
}

/** The JSON error object a plugin printed, plus which plugin and command produced it. */
export class CniPluginError extends CniError {
  constructor(
    readonly plugin: string,
    readonly command: string,
    /** The CNI error code from the plugin's JSON (see CniSpecErrorCode). */
    readonly cniCode: number,
    readonly msg: string,
    readonly details: string,
  ) {
    super(
      CniErrorCode.PluginFailed,
      `CNI plugin "${plugin}" ${command} failed (code ${cniCode}): ${msg}${details ? ` (${details})` : ''}`,
    );
  }
}
