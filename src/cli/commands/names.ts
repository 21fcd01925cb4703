import { checkName, type NameKind } from '../../api/validate/names.js';
import { CliError, cliErrorCodes } from '../cli-error.js';

/**
 * Trims and validates a name before any RPC (name errors fire before any
 * parent-existence check). `usage` is appended to a missing-name error.
 */
export function validName(kind: NameKind, raw: string | undefined, usage?: string): string {
  const name = (raw ?? '').trim();
  const problem = checkName(kind, name);
  if (problem === undefined) return name;
  const message = name === '' && usage ? `${kind} name is required (usage: ${usage})` : problem;
  throw new CliError(name === '' ? cliErrorCodes.usage : cliErrorCodes.invalidName, message);
}

/** A scope flag (`--realm`, …): empty after trimming is `<kind> name is required (--<kind>)`. */
export function scopeFlag(kind: NameKind, raw: string | undefined): string {
  const name = (raw ?? '').trim();
  if (name === '') throw new CliError(cliErrorCodes.usage, `${kind} name is required (--${kind})`);
  return validName(kind, name);
}
