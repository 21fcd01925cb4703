import {
  parseManifestStream,
  refusedInDocuments,
  sortForApply,
  UnsupportedFieldsError,
  type ParsedDocument,
  type ParseOptions,
} from '../../api/index.js';
import type { ApplyHandlers, ApplyResult } from './apply-types.js';

/**
 * `kuke apply` on the daemon side (spec 01 §1.7, spec 02 §8.2): parse and validate the whole
 * stream first (any failure throws and nothing is applied), refuse it whole when a document sets
 * a field this build does not apply (docs/manifests.md, "Field support"), sort by kind rank then document
 * index, and reconcile each document with its kind's handler. One document's failure is recorded
 * as `failed` with its message and the rest still run. Results come back in processing order.
 *
 * Cells are applied up to APPLY_PARALLEL_CELLS at once (docs/daemon.md, "Applying many cells"):
 * a cell's create is mostly waiting on runc, the shim and the CNI plugins, each cell has its own
 * lock, and the scopes they live in were applied before them (lower rank). Two documents of the
 * same name still go one after the other, in document order.
 */
export async function applyDocuments(
  text: string,
  handlers: ApplyHandlers,
  options: ParseOptions = {},
): Promise<ApplyResult[]> {
  const parsed = parseManifestStream(text, options);
  const refusals = refusedInDocuments(parsed);
  if (refusals.length > 0) throw new UnsupportedFieldsError(refusals);
  const docs = sortForApply(parsed);
  const results: ApplyResult[] = [];
  for (let i = 0; i < docs.length;) {
    if (docs[i].kind !== 'Cell') {
      results.push(await applyOne(docs[i], handlers));
      i++;
      continue;
    }
    let end = i;
    while (end < docs.length && docs[end].kind === 'Cell') end++;
    results.push(...(await applyCells(docs.slice(i, end), handlers)));
    i = end;
  }
  return results;
}

/** Cells of one apply created or updated at once (each waits mostly on runc, shims and plugins). */
export const APPLY_PARALLEL_CELLS = 8;

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

/**
 * Applies cell documents with at most APPLY_PARALLEL_CELLS in flight; results in document order.
 * The first cell of each realm/space/stack goes alone first (it may create those parents, which
 * must not be created twice at once); documents that share a name are chained (a later one starts
 * when the earlier one ended).
 */
async function applyCells(docs: ParsedDocument[], handlers: ApplyHandlers): Promise<ApplyResult[]> {
  const results: ApplyResult[] = new Array<ApplyResult>(docs.length);
  const scopesSeen = new Set<string>();
  const rest: number[] = [];
  for (const [at, doc] of docs.entries()) {
    const spec = doc.kind === 'Cell' ? doc.doc.spec : undefined;
    const scope = JSON.stringify([spec?.realmId, spec?.spaceId, spec?.stackId]);
    if (scopesSeen.has(scope)) {
      rest.push(at);
      continue;
    }
    scopesSeen.add(scope);
    results[at] = await applyOne(doc, handlers);
  }
  const byName = new Map<string, Promise<unknown>>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rest.length) {
      const at = rest[next++];
      const doc = docs[at];
      const done = (byName.get(doc.name) ?? Promise.resolve()).then(() => applyOne(doc, handlers));
      byName.set(doc.name, done);
      results[at] = await done;
    }
  };
  await Promise.all(Array.from({ length: Math.min(APPLY_PARALLEL_CELLS, rest.length) }, worker));
  return results;
}
