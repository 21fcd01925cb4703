import { join } from 'node:path';

import { invalidPath } from './store-errors.js';

/**
 * Sub-directories of a scope that hold scoped documents rather than child scopes:
 * never listed as children, and refused as child scope names because they would collide.
 */
export const RESERVED_SCOPE_NAMES: ReadonlySet<string> = new Set([
  'secrets',
  'blueprints',
  'configs',
  'volumes',
  'volume-meta',
]);

/** Name of the document file in every scope directory, and of its flock sidecar. */
export const METADATA_FILE = 'metadata.json';
export const LOCK_SUFFIX = '.lock';

/** A position in the Realm → Space → Stack → Cell tree; each level requires the one above. */
export interface Scope {
  realm: string;
  space?: string;
  stack?: string;
  cell?: string;
}

/**
 * Path segments of a scope, checked defensively: callers validate names, but a segment that
 * could escape or alias a directory must never reach the file system.
 */
export function scopeSegments(scope: Scope | readonly string[]): string[] {
  const segments = Array.isArray(scope) ? [...scope] : objectSegments(scope as Scope);
  if (segments.length === 0) throw invalidPath('', 'a scope needs at least a realm');
  segments.forEach((s, depth) => assertSafeSegment(s, depth));
  return segments;
}

/** Directory of a scope under the data root: `<dataRoot>/<realm>[/<space>[/<stack>[/<cell>]]]`. */
export function scopeDir(dataRoot: string, scope: Scope | readonly string[]): string {
  return join(dataRoot, ...scopeSegments(scope));
}

/** Throws STORE_INVALID_PATH unless `segment` is a plain, non-reserved directory name. */
export function assertSafeSegment(segment: string, depth = 0): void {
  if (typeof segment !== 'string' || segment.length === 0) throw invalidPath(String(segment), 'empty');
  if (segment === '.' || segment === '..') throw invalidPath(segment, 'relative directory name');
  if (segment.includes('/')) throw invalidPath(segment, "contains '/'");
  if (segment.includes('\0')) throw invalidPath(segment, 'contains NUL');
  if (segment !== segment.trim()) throw invalidPath(segment, 'leading or trailing whitespace');
  // Realms live directly under data/, where no reserved directories exist.
  if (depth > 0 && RESERVED_SCOPE_NAMES.has(segment)) {
    throw invalidPath(segment, 'reserved for scoped documents');
  }
}

function objectSegments(scope: Scope): string[] {
  const out = [scope.realm];
  for (const level of ['space', 'stack', 'cell'] as const) {
    const value = scope[level];
    if (value === undefined) break;
    out.push(value);
  }
  // A deeper level without the one above it is a caller bug, not a shorter scope.
  const given = (['space', 'stack', 'cell'] as const).filter((l) => scope[l] !== undefined).length;
  if (given !== out.length - 1) throw invalidPath(JSON.stringify(scope), 'scope level missing a parent');
  return out;
}
