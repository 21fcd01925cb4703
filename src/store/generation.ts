import { canonicalJSON } from '../model/canonical-json.js';
import { stale } from './store-errors.js';

/** The members of a Realm/Space/Stack/Cell document the generation protocol reads and sets. */
export interface GenerationalDocument {
  metadata?: { generation?: number } & Record<string, unknown>;
  spec?: unknown;
  status?: {
    state?: unknown;
    createdAt?: string | null;
    updatedAt?: string | null;
    readyAt?: string | null;
  } & Record<string, unknown>;
}

/** Go's zero time, which readers must treat as unset. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function isUnsetTime(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === ZERO_TIME;
}

/** RFC 3339 in UTC with fractional seconds only when non-zero, as Go prints it. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * A caller generation of 0 (or none) means "constructed, not read" and skips
 * the staleness check; otherwise an on-disk generation newer than the caller's is stale.
 * The new generation is the on-disk one, plus one iff the canonical spec changed; 1 on create.
 */
export function nextGeneration(
  incoming: GenerationalDocument,
  onDisk: GenerationalDocument | undefined,
  path: string,
): number {
  if (onDisk === undefined) return 1;
  const diskGen = onDisk.metadata?.generation ?? 0;
  const callerGen = incoming.metadata?.generation ?? 0;
  if (callerGen > 0 && diskGen > callerGen) {
    throw stale(path, `caller has generation ${callerGen}, disk has ${diskGen}`);
  }
  const changed = canonicalJSON(incoming.spec) !== canonicalJSON(onDisk.spec);
  return diskGen + (changed ? 1 : 0);
}

/** Decides whether a document's state counts as Ready for the `readyAt` stamp. */
export type ReadyPredicate = (doc: GenerationalDocument) => boolean;
export const stateIsReady: ReadyPredicate = (doc) => doc.status?.state === 'Ready';

/**
 * Returns a copy of `incoming` with the generation and lifecycle stamps of docs/store.md applied:
 * createdAt kept (from the caller, else from disk) or set now; updatedAt = now; readyAt kept or
 * set now the first time the document is written Ready. The caller's object is not modified,
 * and keys keep their order (a new key is appended).
 */
export function prepareWrite<T extends GenerationalDocument>(
  incoming: T,
  onDisk: GenerationalDocument | undefined,
  generation: number,
  now: Date,
  isReady: ReadyPredicate = stateIsReady,
): T {
  const stamp = rfc3339(now);
  const status = { ...(incoming.status ?? {}) };
  status.createdAt = firstSet(status.createdAt, onDisk?.status?.createdAt) ?? stamp;
  status.updatedAt = stamp;
  const readyAt = firstSet(status.readyAt, onDisk?.status?.readyAt);
  if (readyAt !== undefined) status.readyAt = readyAt;
  else if (isReady(incoming)) status.readyAt = stamp;
  return {
    ...incoming,
    metadata: { ...(incoming.metadata ?? {}), generation },
    status,
  };
}

function firstSet(...values: unknown[]): string | undefined {
  for (const v of values) if (!isUnsetTime(v) && typeof v === 'string') return v;
  return undefined;
}
