import { ErrorCode } from '../error-codes.js';
import {
  sortForDelete,
  parseManifestStream,
  realmFromDoc,
  spaceFromDoc,
  stackFromDoc,
  type ApplyKind,
  type ParsedDocument,
  type ParseOptions,
} from '../api/index.js';
import { ControllerError, isNotFoundError } from './controller-errors.js';
import { inDocumentOrder } from './cell-batches.js';
import type { RemoveFlags } from './results.js';
import type { DeleteResult } from '../model/operation-facts.js';
export type { DeleteAction, DeleteResult } from '../model/operation-facts.js';

/**
 * Deletes one document's resource; resolves with the `Deleted[]` entries of the delete
 * (`space:<n>`, `stack:<n>`, `cell:<n>` children, `container:<id>` containers of a cell).
 */
export type DeleteHandler = (doc: ParsedDocument, flags: RemoveFlags) => Promise<string[]>;

export type DeleteHandlers = Partial<Record<ApplyKind, DeleteHandler>>;

/** The scope kinds' delete handlers over the controller's delete operations. */
export function scopeDeleteHandlers(ops: {
  deleteRealm(name: string, flags: RemoveFlags): Promise<{ facts: { Deleted: string[] } }>;
  deleteSpace(realm: string, name: string, flags: RemoveFlags): Promise<{ facts: { Deleted: string[] } }>;
  deleteStack(
    realm: string,
    space: string,
    name: string,
    flags: RemoveFlags,
  ): Promise<{ facts: { Deleted: string[] } }>;
}): DeleteHandlers {
  return {
    Realm: async (d, f) =>
      d.kind === 'Realm' ? (await ops.deleteRealm(realmFromDoc(d.doc).metadata.name, f)).facts.Deleted : [],
    Space: async (d, f) => {
      if (d.kind !== 'Space') return [];
      const s = spaceFromDoc(d.doc);
      return (await ops.deleteSpace(s.spec.realmId, s.metadata.name, f)).facts.Deleted;
    },
    Stack: async (d, f) => {
      if (d.kind !== 'Stack') return [];
      const s = stackFromDoc(d.doc);
      return (await ops.deleteStack(s.spec.realmId, s.spec.spaceId, s.metadata.name, f)).facts.Deleted;
    },
  };
}

const isChild = (entry: string): boolean => /^(space|stack|cell):/.test(entry);

/** `containersDeleted` of a cell: the containerd containers its delete really removed. */
function cellDetails(kind: string, entries: readonly string[]): Record<string, string> | undefined {
  if (kind !== 'Cell') return undefined;
  return { containersDeleted: String(entries.filter((e) => e.startsWith('container:')).length) };
}

/**
 * `kuke delete -f` on the daemon side: validate the whole stream like apply (a
 * failure throws, nothing is deleted), then delete in reverse dependency order (cells, stacks,
 * spaces, realms; ties in file order), each independently. A missing target is `not found`, not a
 * failure; a kind without a handler fails with `unknown kind: <Kind>`. Cells go several at once
 * (inDocumentOrder).
 */
export async function deleteDocuments(
  text: string,
  handlers: DeleteHandlers,
  flags: RemoveFlags,
  options: ParseOptions = {},
): Promise<DeleteResult[]> {
  const docs = sortForDelete(parseManifestStream(text, options));
  return inDocumentOrder(docs, (doc) => deleteOne(doc, handlers, flags), { firstOfScopeAlone: false });
}

async function deleteOne(
  doc: ParsedDocument,
  handlers: DeleteHandlers,
  flags: RemoveFlags,
): Promise<DeleteResult> {
  const base = { index: doc.index, kind: doc.kind, name: doc.name };
  const handler = handlers[doc.kind];
  try {
    if (!handler) throw new ControllerError(ErrorCode.UNKNOWN_KIND, `unknown kind: ${doc.kind}`);
    const entries = await handler(doc, flags);
    const cascaded = entries.filter(isChild);
    const details = cellDetails(doc.kind, entries);
    return {
      ...base,
      action: 'deleted',
      ...(cascaded.length > 0 && { cascaded }),
      ...(details && { details }),
    };
  } catch (err) {
    if (isNotFoundError(err)) return { ...base, action: 'not found' };
    return { ...base, action: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
}
