import { ErrorCode } from '../error-codes.js';
import { describeFailure, runHostCommand, type HostCommandOptions } from '../host-command.js';
import { CniError } from './errors.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandOptions = HostCommandOptions;

let iptablesRuns = 0;

/**
 * How many iptables commands other than `iptables-save` this process has started: any of them
 * may have changed a table, so a snapshot read before is no longer to be reused (iptables.ts).
 */
export const iptablesWriteCount = (): number => iptablesRuns;

/**
 * Runs a host tool (a CNI plugin, `ip`, `iptables`, `nsenter`) without a shell, through
 * posix_spawn (src/host-command.ts). A non-zero exit is a normal result (callers decide what it
 * means; a signal is exit code 128); failing to start it or a timeout is an error.
 */
export async function runCommand(
  file: string,
  args: readonly string[],
  opts: CommandOptions = {},
): Promise<CommandResult> {
  if (file.startsWith('iptables') && file !== 'iptables-save') iptablesRuns++;
  let r;
  try {
    r = await runHostCommand(file, args, opts);
  } catch (cause) {
    throw new CniError(ErrorCode.CNI_HOST_COMMAND_FAILED, `cannot run ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (r.timedOut)
    throw new CniError(
      ErrorCode.CNI_HOST_COMMAND_FAILED,
      `${file} ${args.join(' ')} timed out after ${opts.timeoutMs} ms`,
    );
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** runCommand that turns a non-zero exit into a CniError carrying stderr. */
export async function runChecked(
  file: string,
  args: readonly string[],
  opts: CommandOptions = {},
): Promise<string> {
  const r = await runCommand(file, args, opts);
  if (r.code !== 0)
    throw new CniError(
      ErrorCode.CNI_HOST_COMMAND_FAILED,
      describeFailure(file, args, { ...r, signal: null, timedOut: false }),
    );
  return r.stdout;
}
