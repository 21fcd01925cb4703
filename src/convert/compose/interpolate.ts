/**
 * Compose's variable interpolation, applied to every string value of the file before anything
 * else (as `docker compose config` does): `$$` is a literal `$`; `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?message}`,
 * `${VAR?message}` take values from `env` (the caller's environment over the project's `.env`).
 */
import type { ConversionNote } from '../conversion-note.js';

const pattern =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])((?:[^{}]|\{[^}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export class InterpolationError extends Error {}

function substitute(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
  notes: ConversionNote[],
): string {
  return text.replace(
    pattern,
    (match, braced: string, op: string | undefined, arg: string | undefined, bare: string) => {
      if (match === '$$') return '$';
      const name = braced ?? bare;
      const value = env[name];
      const unsetOrEmpty = value === undefined || value === '';
      const nested = (s: string) => substitute(s, env, where, notes);
      switch (op) {
        case ':-':
          return unsetOrEmpty ? nested(arg ?? '') : value;
        case '-':
          return value === undefined ? nested(arg ?? '') : value;
        case ':+':
          return unsetOrEmpty ? '' : nested(arg ?? '');
        case '+':
          return value === undefined ? '' : nested(arg ?? '');
        case ':?':
        case '?':
          if (op === ':?' ? unsetOrEmpty : value === undefined)
            throw new InterpolationError(
              `${where}: required variable ${name} is missing a value: ${arg ?? ''}`,
            );
          return value!;
        default:
          if (value === undefined) {
            notes.push({
              where,
              reason: `variable ${name} is not set: an empty string is used (as Compose does)`,
            });
            return '';
          }
          return value;
      }
    },
  );
}

/** A copy of `value` with every string interpolated; `path` names where a note points. */
export function interpolate(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  notes: ConversionNote[],
  path = '',
): unknown {
  if (typeof value === 'string') return substitute(value, env, path || '(top level)', notes);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, notes, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, notes, path ? `${path}.${k}` : k)]),
    );
  return value;
}
