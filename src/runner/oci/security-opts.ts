import { ErrorCode } from '../../error-codes.js';
import { OciSpecError } from './oci-errors.js';

/** One parsed `securityOpts` entry. */
export type SecurityOpt =
  | { kind: 'no-new-privileges'; value: boolean }
  | { kind: 'seccomp-unconfined' }
  | { kind: 'seccomp-profile'; path: string };

// Go's strconv.ParseBool, which the original used: the same spellings are accepted.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function invalid(entry: string, why: string): OciSpecError {
  return new OciSpecError(
    ErrorCode.OCI_INVALID_SECURITY_OPT,
    `invalid securityOpts entry "${entry}": ${why}`,
  );
}

/** `key=value` or `key:value` (whichever separator comes first); the key is case-insensitive. */
export function parseSecurityOpt(entry: string): SecurityOpt {
  const text = entry.trim();
  const at = text.search(/[=:]/);
  const key = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
  const value = at < 0 ? undefined : text.slice(at + 1).trim();
  switch (key) {
    case 'no-new-privileges': {
      if (value === undefined) return { kind: 'no-new-privileges', value: true };
      if (TRUE.has(value)) return { kind: 'no-new-privileges', value: true };
      if (FALSE.has(value)) return { kind: 'no-new-privileges', value: false };
      throw invalid(entry, `"${value}" is not a boolean`);
    }
    case 'seccomp': {
      if (!value) throw invalid(entry, 'seccomp needs a value: "unconfined" or a profile path');
      if (value.toLowerCase() === 'unconfined') return { kind: 'seccomp-unconfined' };
      return { kind: 'seccomp-profile', path: value };
    }
    default:
      throw invalid(entry, `unknown key "${key}" (known: no-new-privileges, seccomp)`);
  }
}

export function parseSecurityOpts(entries: readonly string[] | undefined): SecurityOpt[] {
  return (entries ?? []).map(parseSecurityOpt);
}
