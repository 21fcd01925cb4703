import { ErrorCode } from '../error-codes.js';
import { cellFromDoc, parseManifestStream, refuseUnsupportedFields, type CellDoc } from '../api/index.js';
import { rejectMessage } from '../model/diff/change.js';
import { diffCell } from '../model/diff/cell-diff.js';
import type { Cell } from '../model/resources.js';
import { applySpaceDefaults } from '../model/space-defaults.js';
import type { ControllerDeps } from './controller-deps.js';
import { ControllerError } from './controller-errors.js';
import { materialiseCell } from './materialise-cell.js';

/**
 * Before a start: a cell made from a CellConfig that changed since (marked OutOfSync) is made
 * again from the Config and its Blueprint as they are now — same name, same values taken from its
 * user's environment, same `--env` overrides — and the new spec is applied to it as `kuke apply`
 * would (docs/blueprints.md, "Drift"). Any other cell, or one whose Config or Blueprint is gone,
 * is returned as it is.
 */
export async function rematerialiseIfBehind(deps: ControllerDeps, cell: Cell): Promise<Cell> {
  const p = cell.spec.provenance;
  if (!deps.templates || p?.bindingKind !== 'config' || cell.status.outOfSync !== true) return cell;
  // A cell a start refuses (Pending, Unknown) is refused as it is.
  if (cell.status.state === 'Pending' || cell.status.state === 'Unknown') return cell;
  const config = await deps.templates.getTemplate('CellConfig', p.bindingRef);
  if (!config) return cell;
  const blueprint = await deps.templates.getTemplate('CellBlueprint', {
    name: '',
    realm: '',
    ...config.spec?.blueprint,
  });
  if (!blueprint) return cell;
  const made = materialiseCell({
    blueprint,
    config,
    scope: { realm: cell.spec.realmId, space: cell.spec.spaceId, stack: cell.spec.stackId },
    name: cell.metadata.name,
    clientEnv: p.params ?? {},
    envOverrides: p.envOverrides ?? [],
    sourceCell: cell.metadata.annotations?.['kukeon.io/source-cell'],
  });
  // Validated exactly as an applied Cell document is.
  const doc = parseManifestStream(JSON.stringify(made))[0].doc as CellDoc;
  const desired = cellFromDoc({ ...doc, spec: { ...doc.spec, id: cell.spec.id } });
  refuseUnsupportedFields('Cell', desired);
  const space = await deps.runner.getSpace(cell.spec.realmId, cell.spec.spaceId);
  const diff = diffCell(applySpaceDefaults(desired, space?.spec.defaults?.container), cell);
  if (diff.class === 'rejected')
    throw new ControllerError(
      ErrorCode.BREAKING_UPDATE,
      `${rejectMessage('Cell', cell.metadata.name, diff)} (re-materialising it from config "${p.bindingRef.name}"; delete the cell and make it again)`,
    );
  return (await deps.cells.updateCell(desired)).cell;
}
