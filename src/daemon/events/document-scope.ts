import { parseManifestStream, type ParsedDocument } from '../../api/index.js';

/** Where a document's object lives, as event fields (docs/events.md). */
export interface DocumentScope {
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
  container?: string;
}

const ownLevel: Partial<Record<string, keyof DocumentScope>> = {
  Realm: 'realm',
  Space: 'space',
  Stack: 'stack',
  Cell: 'cell',
  Container: 'container',
};

/**
 * A document's place in the hierarchy: its own name at its level (a Space names the space) and
 * the parents it names (`spec.realmId`… of the hierarchy kinds, `metadata.realm`… of the scoped
 * kinds), so an apply or delete
 * result is kept by `kuke events --realm/--space/--stack/--cell` like the object's other events.
 */
export function documentScope(doc: ParsedDocument): DocumentScope {
  const d = doc.doc as { spec?: unknown; metadata?: unknown };
  const spec = (d.spec ?? {}) as Record<string, unknown>;
  const metadata = (d.metadata ?? {}) as Record<string, unknown>;
  const field = (k: string, meta: string): string | undefined => {
    const v = spec[k] ?? metadata[meta];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  // Hierarchy kinds name their parents in the spec; scoped kinds (Volume, Secret) in metadata.
  const scope: DocumentScope = {
    realm: field('realmId', 'realm'),
    space: field('spaceId', 'space'),
    stack: field('stackId', 'stack'),
    cell: field('cellId', 'cell'),
  };
  const own = ownLevel[doc.kind];
  if (own) scope[own] = doc.name;
  for (const k of Object.keys(scope) as (keyof DocumentScope)[]) if (scope[k] === undefined) delete scope[k];
  return scope;
}

/**
 * The scope of every document of a stream by its index; empty when the stream does not parse
 * (apply or delete refused it whole then, and reports no document).
 */
export function documentScopes(text: string): Map<number, DocumentScope> {
  try {
    return new Map(parseManifestStream(text).map((d) => [d.index, documentScope(d)]));
  } catch {
    return new Map();
  }
}
