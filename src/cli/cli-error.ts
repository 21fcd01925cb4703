import { KukeonError } from '../errors.js';

/** Codes of failures the CLI raises itself (before or instead of any RPC). */
export const cliErrorCodes = {
  /** Bad arguments or flags (the framework's texts and our own argument checks). */
  usage: 'CLI_USAGE',
  invalidSelector: 'CLI_INVALID_SELECTOR',
  invalidOutput: 'CLI_INVALID_OUTPUT',
  invalidName: 'CLI_INVALID_NAME',
  clientConfigInvalid: 'CLIENT_CONFIGURATION_INVALID',
  mustRunAsRoot: 'MUST_RUN_AS_ROOT',
  notFound: 'CLI_NOT_FOUND',
  /** Some documents of an apply / delete -f failed. */
  partialFailure: 'CLI_PARTIAL_FAILURE',
  /** Any other failure of a CLI-side operation (file reads, log files, …). */
  failed: 'CLI_FAILED',
} as const;

export class CliError extends KukeonError {}

/**
 * A failure that has already been reported on stdout/stderr (`kuke status` with a FAIL row,
 * `kuke version --strict` on a mismatch): exit 1 without an `Error:` line.
 */
export class SilentExit extends KukeonError {
  constructor() {
    super('CLI_SILENT_EXIT', 'silent exit');
  }
}

/** Go `%q` for the strings we print (names, paths): double quotes, `"` and `\` escaped. */
export function q(s: string): string {
  return JSON.stringify(s);
}
