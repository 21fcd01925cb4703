import { DaemonDialError } from '../client/daemon-client-errors.js';
import { errorChainText } from '../protocol/error-envelope.js';
import { CliError, SilentExit, cliErrorCodes } from './cli-error.js';
import type { Output } from './context.js';

/**
 * The text of an error as the `Error:` line shows it: the full chain, except that
 * a dial error already spells out the OS error the way the original does.
 */
export function errorText(err: unknown): string {
  if (err instanceof DaemonDialError) return err.message;
  return errorChainText(err);
}

/** The `Error: <message>` line (docs/cli.md) (nothing for a SilentExit). Returns the exit code. */
export function reportError(err: unknown, stderr: Output): number {
  if (err instanceof SilentExit) return 1;
  stderr.write(`Error: ${errorText(err)}\n`);
  return 1;
}

/** Cobra's texts for argument counts. */
export function checkArgCount(args: unknown[], min: number, max: number): void {
  const n = args.length;
  if (n >= min && n <= max) return;
  let message: string;
  if (min === max) message = `accepts ${min} arg(s), received ${n}`;
  else if (n > max)
    message =
      max === 0
        ? `unknown command ${JSON.stringify(String(args[0]))}`
        : `accepts at most ${max} arg(s), received ${n}`;
  else message = `requires at least ${min} arg(s), only received ${n}`;
  throw new CliError(cliErrorCodes.usage, message);
}

interface CommanderLikeError {
  code?: string;
  message: string;
  exitCode?: number;
}

/**
 * Maps commander's parse failures onto the original framework's texts (byte equality is not
 * required, the `Error:` prefix and exit code are). Help and version exits are successes.
 */
export function commanderFailure(
  err: CommanderLikeError,
  commandPath: string,
): { exitCode: number; error?: CliError } {
  const code = err.code ?? '';
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
    return { exitCode: err.exitCode ?? 0 };
  const text = err.message.replace(/^error: /, '');
  let message = text;
  if (code === 'commander.unknownOption') {
    const m = /'([^']+)'/.exec(text);
    message = `unknown flag: ${m ? m[1] : text}`;
  } else if (code === 'commander.unknownCommand') {
    const m = /'([^']+)'/.exec(text);
    message = `unknown command ${JSON.stringify(m ? m[1] : text)} for ${JSON.stringify(commandPath)}`;
  } else if (code === 'commander.optionMissingArgument') {
    const m = /'([^']+)'/.exec(text);
    message = `flag needs an argument: ${m ? m[1].split(/[ ,]/).pop() : text}`;
  } else if (code === 'commander.conflictingOption') {
    message = text;
  }
  return { exitCode: 1, error: new CliError(cliErrorCodes.usage, message) };
}
