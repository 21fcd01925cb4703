import type { Cell } from '../model/resources.js';
import type { CellListCache, CellWireDoc } from '../runner/cell-list-cache.js';
import { scopes, validName } from '../runner/resource-names.js';
import type { ControllerDeps } from './controller-deps.js';
import type { GetCellFacts } from './cell-ops.js';

type Plain = Record<string, unknown>;
const plain = (v: unknown): Plain | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Plain) : undefined;
const list = (v: unknown): Plain[] => (Array.isArray(v) ? v.map((x) => plain(x) ?? {}) : []);

/**
 * GetCell when the containers are not observed (`kuke get cell`'s table): the stored document
 * from the cell list cache, revalidated by one stat as ListCells revalidates it (docs/bench.md,
 * "kuke get"), with the facts cellOps.getCell derives from the same stored document. Undefined
 * when the names are not valid or the cell has no readable document: cellOps.getCell then
 * answers, with its not-found facts or its error.
 */
export async function storedCellDocument(
  deps: ControllerDeps,
  cache: CellListCache,
  request: Cell,
): Promise<{ doc: CellWireDoc; facts: GetCellFacts } | undefined> {
  let realm: string, space: string, stack: string, name: string;
  try {
    realm = validName('realm', request.spec.realmId);
    space = validName('space', request.spec.spaceId);
    stack = validName('stack', request.spec.stackId);
    name = validName('cell', request.metadata.name);
  } catch {
    return undefined;
  }
  const doc = await cache.get(scopes.stack(realm, space, stack), name);
  if (!doc) return undefined;
  // As cellOps.getCell: the root container's recorded state; a cell without a root counts as running.
  const root = list(plain(doc.spec)?.containers).find((c) => c.root);
  const state = root ? list(plain(doc.status)?.containers).find((s) => s.id === root.id)?.state : undefined;
  return {
    doc,
    facts: {
      MetadataExists: true,
      CgroupExists: await deps.probe.cellCgroupExists(realm, space, stack, name),
      RootContainerExists: state !== undefined && state !== 'Unknown',
      RootContainerTaskRunning: root ? state === 'Ready' : true,
    },
  };
}
