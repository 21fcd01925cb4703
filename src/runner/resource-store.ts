import { ErrorCode } from '../error-codes.js';
import { decodeResource, resourceToPlain, type ResourceKind, type ResourceModels } from '../api/index.js';
import { StoreError, type Expectation, type GenerationalDocument } from '../store/index.js';
import type { RunnerContext } from './runner-context.js';
import { decodeStored } from './decoded-resources.js';

/** Kinds that have their own metadata.json (containers live inside their cell's document). */
export type ScopedKind = Exclude<ResourceKind, 'Container'>;

/** A resource as read from disk, with the bytes the compare-and-swap of a later write checks. */
export interface Loaded<M> {
  model: M;
  bytes: Buffer;
}

/**
 * Typed access to the metadata tree: the document store stores plain v1beta1 JSON, this file
 * converts between that and the internal model (serialisation on the way out).
 */
export async function loadResource<K extends ScopedKind>(
  ctx: RunnerContext,
  kind: K,
  scope: readonly string[],
): Promise<Loaded<ResourceModels[K]> | undefined> {
  const stored = await ctx.store.tryRead<unknown>(scope);
  if (stored === undefined) return undefined;
  return { model: decodeStored(ctx, kind, stored.path, stored.bytes, stored.doc), bytes: stored.bytes };
}

export async function readResource<K extends ScopedKind>(
  ctx: RunnerContext,
  kind: K,
  scope: readonly string[],
): Promise<ResourceModels[K] | undefined> {
  return (await loadResource(ctx, kind, scope))?.model;
}

/**
 * Persists a resource with the generation protocol and lifecycle stamps. With
 * `observed`, the write only happens if the file still holds those bytes (STORE_STALE otherwise).
 * Returns the model as written (generation and timestamps filled in).
 */
export async function persistResource<K extends ScopedKind>(
  ctx: RunnerContext,
  kind: K,
  scope: readonly string[],
  model: ResourceModels[K],
  options: { observed?: Expectation } = {},
): Promise<ResourceModels[K]> {
  const plain = resourceToPlain(kind, model) as GenerationalDocument;
  const written = await ctx.store.writeGenerational(scope, plain, options);
  const written_ = decodeResource(kind, written.doc);
  if (kind === 'Cell') ctx.onCellWritten?.(scope, written_ as ResourceModels['Cell']);
  return written_;
}

/** Lists the child documents of a scope; unreadable ones are logged and skipped. */
export async function listResources<K extends ScopedKind>(
  ctx: RunnerContext,
  kind: K,
  parent: readonly string[],
): Promise<ResourceModels[K][]> {
  const out: ResourceModels[K][] = [];
  for (const child of await ctx.store.listDocuments<unknown>(parent.length ? parent : undefined)) {
    if (child.error) {
      ctx.log.warn(
        { err: child.error, kind, scope: [...parent, child.name] },
        'skipping unreadable metadata',
      );
      continue;
    }
    try {
      out.push(
        child.path && child.bytes
          ? decodeStored(ctx, kind, child.path, child.bytes, child.doc)
          : decodeResource(kind, child.doc),
      );
    } catch (err) {
      ctx.log.warn({ err, kind, scope: [...parent, child.name] }, 'skipping undecodable metadata');
    }
  }
  return out;
}

export function isStale(err: unknown): boolean {
  return err instanceof StoreError && err.code === ErrorCode.STORE_STALE;
}
