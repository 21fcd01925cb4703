import { CliError, cliErrorCodes } from './cli-error.js';
import type { CliContext } from './context.js';

/** Root-required commands check the effective UID first. */
export function requireRoot(ctx: CliContext, command: string): void {
  if (ctx.uid() === 0) return;
  throw new CliError(
    cliErrorCodes.mustRunAsRoot,
    `command must run as root: \`${command}\` writes to root-owned paths — re-run with \`sudo ${command}\``,
  );
}
