import { decodeResource, type ResourceModels } from '../api/index.js';
import type { RunnerContext } from './runner-context.js';

/** Documents kept decoded per runner context; the oldest go first beyond this. */
const MAX_ENTRIES = 4096;

interface Decoded {
  kind: string;
  bytes: Buffer;
  model: unknown;
}

const byContext = new WeakMap<RunnerContext, Map<string, Decoded>>();

/**
 * The model of a stored document, decoded once per version of the file (docs/store.md,
 * "Decoded once"). Decoding checks the whole document against its schema (≈ 0.35 ms for a
 * one-workload cell with kukeond's flags), and a reconcile pass lists every cell: an apply of 200
 * cells decoded ≈ 15 000 documents. A document whose bytes are those last decoded from the same
 * path gives a copy of that model instead (≈ 0.01 ms); callers may change what they get.
 */
export function decodeStored<K extends keyof ResourceModels>(
  ctx: RunnerContext,
  kind: K,
  path: string,
  bytes: Buffer,
  doc: unknown,
): ResourceModels[K] {
  let cache = byContext.get(ctx);
  if (!cache) byContext.set(ctx, (cache = new Map()));
  const hit = cache.get(path);
  if (hit && hit.kind === kind && hit.bytes.equals(bytes))
    return structuredClone(hit.model) as ResourceModels[K];
  const model = decodeResource(kind, doc);
  cache.delete(path);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(path, { kind, bytes, model: structuredClone(model) });
  return model;
}
