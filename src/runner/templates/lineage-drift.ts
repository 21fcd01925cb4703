import type { Cell } from '../../model/resources.js';
import { everyCell, markOutOfSync } from '../cell/out-of-sync.js';
import type { RunnerContext } from '../runner-context.js';
import { getTemplate } from './template-store.js';

/**
 * Why a cell made from a Blueprint or Config no longer matches what its source would make now
 * (docs/blueprints.md, "Drift"): the source's generation moved past the one the cell recorded
 * (for a Config, also the generation of the Blueprint it names). Undefined for a cell without a
 * source, one that is current, and one whose source is gone (nothing to compare with).
 */
export async function lineageDrift(ctx: RunnerContext, cell: Cell): Promise<string | undefined> {
  const p = cell.spec.provenance;
  if (!p || p.generation === undefined) return undefined;
  const read = <K extends 'CellBlueprint' | 'CellConfig'>(kind: K, ref: Parameters<typeof getTemplate>[2]) =>
    getTemplate(ctx, kind, ref).catch(() => undefined);
  if (p.bindingKind === 'config') {
    const config = await read('CellConfig', p.bindingRef);
    if (!config) return undefined;
    const now = config.metadata?.generation ?? 0;
    if (now !== p.generation)
      return `config "${p.bindingRef.name}" changed (generation ${p.generation} → ${now}); restart the cell to re-materialise it`;
    if (p.blueprintGeneration === undefined) return undefined;
    const bpRef = { name: '', realm: '', ...config.spec?.blueprint };
    const blueprint = await read('CellBlueprint', bpRef);
    const bpNow = blueprint?.metadata?.generation;
    if (bpNow !== undefined && bpNow !== p.blueprintGeneration)
      return `blueprint "${bpRef.name}" of config "${p.bindingRef.name}" changed (generation ${p.blueprintGeneration} → ${bpNow}); restart the cell to re-materialise it`;
    return undefined;
  }
  const blueprint = await read('CellBlueprint', p.bindingRef);
  const now = blueprint?.metadata?.generation;
  if (now === undefined || now === p.generation) return undefined;
  return `blueprint "${p.bindingRef.name}" changed (generation ${p.generation} → ${now}); create a new cell from it to pick the change up`;
}

/**
 * After a Blueprint or Config changed: marks every cell made from it (directly, or through a
 * Config naming the Blueprint) OutOfSync. Returns `realm/space/stack/cell` of each cell marked.
 */
export async function markLineageOutOfSync(ctx: RunnerContext): Promise<string[]> {
  const marked: string[] = [];
  for (const { ref, cell } of await everyCell(ctx)) {
    if (!cell.spec.provenance) continue;
    if (await markOutOfSync(ctx, ref, (c) => lineageDrift(ctx, c))) marked.push(ref.scope.join('/'));
  }
  return marked;
}
