import { ErrorCode } from '../error-codes.js';
import { CodedError } from '../errors.js';

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

export class CniError extends CodedError {}

export class CniPluginNotFoundError extends CniError {
  constructor(
    readonly plugin: string,
    readonly searchedDirs: readonly string[],
  ) {
    super(
      ErrorCode.CNI_PLUGIN_NOT_FOUND,
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
      ErrorCode.CNI_PLUGIN_ERROR,
      `CNI plugin "${plugin}" ${command} failed (code ${cniCode}): ${msg}${details ? ` (${details})` : ''}`,
    );
  }
}
