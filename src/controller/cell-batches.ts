import type { ParsedDocument } from '../api/index.js';

/** Cells of one apply or `delete -f` handled at once (each waits mostly on runc, shims, plugins). */
export const PARALLEL_CELLS = 8;

/**
 * Runs `one` over documents already in processing order and returns the results in that order.
 * Runs of consecutive Cell documents go up to PARALLEL_CELLS at once (docs/daemon.md, "Applying
 * many cells"): each cell has its own lock, and the scopes they live in come before them (apply)
 * or after them (delete). With `firstOfScopeAlone` (apply), the first cell of each realm/space/
 * stack goes alone first, since it may create those parents, which must not be created twice at
 * once. Documents that share a name are chained: a later one starts when the earlier one ended.
 */
export async function inDocumentOrder<T>(
  docs: readonly ParsedDocument[],
  one: (doc: ParsedDocument) => Promise<T>,
  opts: { firstOfScopeAlone: boolean },
): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < docs.length;) {
    if (docs[i].kind !== 'Cell') {
      results.push(await one(docs[i]));
      i++;
      continue;
    }
    let end = i;
    while (end < docs.length && docs[end].kind === 'Cell') end++;
    results.push(...(await cellsAtOnce(docs.slice(i, end), one, opts)));
    i = end;
  }
  return results;
}

async function cellsAtOnce<T>(
  docs: readonly ParsedDocument[],
  one: (doc: ParsedDocument) => Promise<T>,
  opts: { firstOfScopeAlone: boolean },
): Promise<T[]> {
  const results = new Array<T>(docs.length);
  const scopesSeen = new Set<string>();
  const rest: number[] = [];
  for (const [at, doc] of docs.entries()) {
    const spec = doc.kind === 'Cell' ? doc.doc.spec : undefined;
    const scope = JSON.stringify([spec?.realmId, spec?.spaceId, spec?.stackId]);
    if (!opts.firstOfScopeAlone || scopesSeen.has(scope)) {
      rest.push(at);
      continue;
    }
    scopesSeen.add(scope);
    results[at] = await one(doc);
  }
  const byName = new Map<string, Promise<unknown>>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rest.length) {
      const at = rest[next++];
      const doc = docs[at];
      const done = (byName.get(doc.name) ?? Promise.resolve()).then(() => one(doc));
      byName.set(doc.name, done);
      results[at] = await done;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_CELLS, rest.length) }, worker));
  return results;
}
