import { parseManifestStream, type ApplyKind, type ParseOptions } from '../api/index.js';
import type { ApplyHandler } from './apply/apply-types.js';
import type { DeleteHandler } from './delete-documents.js';

/** Coordinates of a scoped resource, as its document names them in `metadata`. */
export type ScopedCoordinates = Partial<Record<'realm' | 'space' | 'stack' | 'cell', string>>;

/** A scoped resource's document: its name and coordinates live in `metadata`. */
export interface ScopedDoc {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string } & ScopedCoordinates;
}

/**
 * One scoped kind's operations (a Volume, a Secret: resources that live at a scope without being
 * a level of it). The daemon's generic handlers (daemon/methods/scoped-methods.ts) and apply /
 * delete -f call these; a kind plugs in by adding its ops to the controller's `scopedOps`. Every
 * `doc` was validated as `kuke apply` validates a document of the kind (`scopedDoc`).
 */
export interface ScopedOps<D extends ScopedDoc = ScopedDoc> {
  /** Create, or re-assert an existing one (`Updated` when the document changed something). */
  create(doc: D): Promise<{ resource: D; facts: { Created: boolean; Updated: boolean } }>;
  /** The resource with what kukeond observes of it; `Exists: false` echoes the request. */
  get(doc: D): Promise<{ resource: D; facts: { Exists: boolean } }>;
  /** Every resource at or below the coordinates given (none: all of them). */
  list(filter: ScopedCoordinates): Promise<D[]>;
  /** Fails with the kind's not-found error when there is none. */
  delete(doc: D): Promise<{ resource: D; facts: { Deleted: boolean } }>;
}

/**
 * A document of a scoped kind as an RPC hands it over, validated exactly as `kuke apply`
 * validates it (same schema, same rules, same messages), so both paths accept the same input.
 */
export function scopedDoc<D extends ScopedDoc>(kind: ApplyKind, doc: unknown, options: ParseOptions = {}): D {
  const given = (doc ?? {}) as Record<string, unknown>;
  const text = JSON.stringify({ ...given, apiVersion: given.apiVersion || 'v1beta1', kind });
  return parseManifestStream(text, options)[0].doc as unknown as D;
}

/** `kuke apply` of a scoped kind: created, updated (it existed and changed) or unchanged. */
export function scopedApplyHandler(ops: ScopedOps): ApplyHandler {
  return async (d) => {
    const r = await ops.create(d.doc as unknown as ScopedDoc);
    return { action: r.facts.Created ? 'created' : r.facts.Updated ? 'updated' : 'unchanged' };
  };
}

/** `kuke delete -f` of a scoped kind (a missing one is reported `not found` by the dispatcher). */
export function scopedDeleteHandler(ops: ScopedOps): DeleteHandler {
  return async (d) => {
    await ops.delete(d.doc as unknown as ScopedDoc);
    return [];
  };
}
