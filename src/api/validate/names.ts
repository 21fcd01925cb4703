/**
 * Resource name rules. The original only rejects `_` and `/`, and only when the
 * daemon creates the resource; we check at parse time, with
 * containerd's identifier rule minus `_`, reserved names and composed-length limits.
 */

export type NameKind = 'realm' | 'space' | 'stack' | 'cell' | 'container';

/** containerd's identifier rule without `_` (which kukeon uses as the container-ID separator). */
const identifier = /^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$/;

/** containerd limit for namespaces and container IDs. */
export const maxIdentifierLength = 76;

/**
 * Names that collide with files or resource directories inside a scope directory; a child
 * with such a name would be invisible to listers or overwrite kukeon's own files.
 */
export const reservedNames: readonly string[] = [
  'secrets',
  'blueprints',
  'configs',
  'volumes',
  'volume-meta',
  'metadata.json',
  'metadata.json.lock',
  'etc-hosts',
  'etc-hostname',
];

/** Check one name (already trimmed by the caller). Returns the message, or undefined. */
export function checkName(kind: NameKind, name: string): string | undefined {
  if (name === '') return `${kind} name is required`;
  const bad = /[_/]/.test(name);
  if (kind === 'realm') {
    if (bad)
      return `realm name is invalid: "${name}" contains disallowed character (must not contain '_' or '/')`;
    if (!identifier.test(name)) return `realm name is invalid: "${name}" ${shapeHint}`;
    return undefined;
  }
  if (bad) {
    return `name is invalid: ${kind} name "${name}" contains disallowed character (must not contain '_' or '/')`;
  }
  if (!identifier.test(name)) return `name is invalid: ${kind} name "${name}" ${shapeHint}`;
  if (reservedNames.includes(name)) {
    return `name is invalid: ${kind} name "${name}" is reserved (it collides with a kukeon file or directory name)`;
  }
  return undefined;
}

const shapeHint = `must be letters and digits, optionally separated by single '.' or '-' (no leading, trailing or repeated separator)`;

/** containerd namespace of a realm: `<realm>.<suffix>` must fit containerd's identifier limit. */
export function checkNamespaceLength(realm: string, suffix: string): string | undefined {
  const ns = `${realm}.${suffix}`;
  if (ns.length > maxIdentifierLength) {
    return `realm name is invalid: "${realm}" is too long: containerd namespace "${ns}" has ${ns.length} characters (limit ${maxIdentifierLength})`;
  }
  return undefined;
}

/** containerd's own identifier rule (namespaces may contain `_`). */
const containerdIdentifier = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/**
 * An explicit `Realm.spec.namespace` is used verbatim as the containerd namespace; containerd
 * would reject a bad one deep inside provisioning, so check it up front.
 */
export function checkExplicitNamespace(ns: string): string | undefined {
  if (ns === '') return undefined;
  if (ns.length > maxIdentifierLength || !containerdIdentifier.test(ns)) {
    return `spec.namespace "${ns}" is not a valid containerd namespace (1-${maxIdentifierLength} characters: letters and digits separated by single '.', '_' or '-')`;
  }
  return undefined;
}

/** containerd container ID `<space>_<stack>_<cell>_<container>` (`root` for the root) must fit the limit. */
export function checkContainerIdLength(
  space: string,
  stack: string,
  cell: string,
  container: string,
): string | undefined {
  const id = `${space}_${stack}_${cell}_${container}`;
  if (id.length > maxIdentifierLength) {
    return `name is invalid: container ID "${id}" has ${id.length} characters (limit ${maxIdentifierLength}); shorten the space, stack, cell or container name`;
  }
  return undefined;
}

/**
 * Secret/Volume names and scope coordinates: not `.`/`..`, no `/`, `\` or NUL.
 * Volume references additionally reject any `..` substring.
 */
export function isPathSafeSegment(segment: string, forVolume = false): boolean {
  if (segment === '') return true;
  if (segment === '.' || segment === '..') return false;
  if (/[/\\\0]/.test(segment)) return false;
  if (forVolume && segment.includes('..')) return false;
  return true;
}

/** Blueprint parameter names and `${KEY}` references. */
export const parameterName = /^[A-Za-z_][A-Za-z0-9_]*$/;
