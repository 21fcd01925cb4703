import {
  parseManifestStream,
  refusedInDocuments,
  sortForApply,
  UnsupportedFieldsError,
  type ParsedDocument,
  type ParseOptions,
} from '../../api/index.js';
import { inDocumentOrder } from '../cell-batches.js';
import type { ApplyHandlers, ApplyResult } from './apply-types.js';

/**
 * `kuke apply` on the daemon side: parse and validate the whole
 * stream first (any failure throws and nothing is applied), refuse it whole when a document sets
 * a field this build does not apply (docs/manifests.md, "Field support"), sort by kind rank then document
 * index, and reconcile each document with its kind's handler. One document's failure is recorded
 * as `failed` with its message and the rest still run. Results come back in processing order.
 * Cells go several at once (inDocumentOrder).
 */
export async function applyDocuments(
  text: string,
  handlers: ApplyHandlers,
  options: ParseOptions = {},
): Promise<ApplyResult[]> {
  const parsed = parseManifestStream(text, options);
  const refusals = refusedInDocuments(parsed);
  if (refusals.length > 0) throw new UnsupportedFieldsError(refusals);
  return inDocumentOrder(sortForApply(parsed), (doc) => applyOne(doc, handlers), { firstOfScopeAlone: true });
}

async function applyOne(doc: ParsedDocument, handlers: ApplyHandlers): Promise<ApplyResult> {
  const base = { index: doc.index, kind: doc.kind, name: doc.name };
  try {
    const outcome = await handlers[doc.kind](doc);
    return {
      ...base,
      action: outcome.action,
      ...(outcome.changes && outcome.changes.length > 0 && { changes: outcome.changes }),
      ...(outcome.details && Object.keys(outcome.details).length > 0 && { details: outcome.details }),
    };
  } catch (err) {
    return { ...base, action: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
}
