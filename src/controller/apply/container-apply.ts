import { ErrorCode } from '../../error-codes.js';
import { containerFromDoc, type ParsedDocument } from '../../api/index.js';
import { rejectMessage } from '../../model/diff/change.js';
import { diffStandaloneContainer } from '../../model/diff/standalone-container-diff.js';
import { mergeContainerDefaults } from '../../model/space-defaults.js';
import { ControllerError, notFound } from '../controller-errors.js';
import type { CellPort, ScopeRunner } from '../runner-port.js';
import type { ApplyHandler } from './apply-types.js';

/**
 * Standalone Container apply: the parent cell must exist; a container the cell
 * does not list is added; no diff → unchanged; any breaking change → failed (never a cell
 * recreate); otherwise the container is replaced in the running cell.
 */
export function containerApplyHandler(runner: ScopeRunner, cells: CellPort): ApplyHandler {
  return async (doc: ParsedDocument) => {
    if (doc.kind !== 'Container') throw new TypeError(`Container handler got a ${doc.kind} document`);
    const input = containerFromDoc(doc.doc).spec;
    const { realmId, spaceId, stackId, cellId } = input;
    const cell = await cells.getCell(realmId, spaceId, stackId, cellId);
    if (!cell) throw notFound.cell(realmId, spaceId, stackId, cellId);
    const actual = cell.spec.containers.find((c) => c.id === input.id);
    if (!actual) {
      await cells.upsertContainer(cell, input);
      return { action: 'created' };
    }
    const space = await runner.getSpace(realmId, spaceId);
    const desired = mergeContainerDefaults(input, space?.spec.defaults?.container);
    const diff = diffStandaloneContainer({ ...desired, root: actual.root }, actual);
    if (diff.class === 'unchanged') return { action: 'unchanged' };
    if (diff.class === 'rejected' || diff.class === 'breaking') {
      throw new ControllerError(ErrorCode.BREAKING_UPDATE, rejectMessage('Container', input.id, diff));
    }
    if (actual.root) {
      throw new ControllerError(
        ErrorCode.BREAKING_UPDATE,
        `container "${input.id}" is the root container of cell "${cellId}": apply the Cell document instead`,
      );
    }
    await cells.upsertContainer(cell, input);
    return { action: 'updated', changes: diff.changes.map((c) => c.path) };
  };
}
