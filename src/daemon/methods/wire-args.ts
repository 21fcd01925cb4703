import { MAX_STOP_GRACE_MS } from '../../model/stop-signal.js';
import { decodeResource, resourceToPlain, type ResourceKind, type ResourceModels } from '../../api/index.js';

/**
 * Go's JSON decoder gives missing or mistyped-as-null fields their zero value; these helpers do
 * the same for the loosely typed args object, so a handler never sees `undefined`.
 */
export function argString(args: unknown, key: string): string {
  const v = (args as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : '';
}

/** A list of strings; anything else (absent, another type) is an empty list. */
export function argStringList(args: unknown, key: string): string[] {
  const v = (args as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function argBool(args: unknown, key: string): boolean {
  return (args as Record<string, unknown> | undefined)?.[key] === true;
}

/**
 * `GracePeriodMs` (our extension, `--timeout` of stop and delete): a grace period in milliseconds,
 * capped at a day; absent, or anything but a non-negative number, leaves each container's own.
 */
export function argGraceMs(args: unknown): number | undefined {
  const v = (args as Record<string, unknown> | undefined)?.GracePeriodMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, MAX_STOP_GRACE_MS) : undefined;
}

/** `Force`, `Cascade` and `GracePeriodMs` of a delete. */
export function argRemoveFlags(args: unknown): { force: boolean; cascade: boolean; graceMs?: number } {
  return { force: argBool(args, 'Force'), cascade: argBool(args, 'Cascade'), graceMs: argGraceMs(args) };
}

/** `[]byte` fields travel as base64 (Go's encoding/json). */
export function argBytesText(args: unknown, key: string): string {
  return Buffer.from(argString(args, key), 'base64').toString('utf8');
}

/**
 * The `Doc` arg as the internal model of `kind` (transport-only cell fields kept). The document's
 * own `kind`, when set, must match; an empty apiVersion means v1beta1 (api layer rules).
 */
export function argDoc<K extends ResourceKind>(args: unknown, kind: K): ResourceModels[K] {
  const doc = (args as Record<string, unknown> | undefined)?.Doc;
  return decodeResource(kind, doc ?? {}, { transport: true });
}

/** A model as the plain document the reply carries (lower-camel keys JSON rules). */
export function wireDoc<K extends ResourceKind, D>(kind: K, model: ResourceModels[K]): D {
  return resourceToPlain(kind, model) as D;
}
