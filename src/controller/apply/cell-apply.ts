import { ErrorCode } from '../../error-codes.js';
import { cellFromDoc, type ParsedDocument } from '../../api/index.js';
import { rejectMessage } from '../../model/diff/change.js';
import { diffCell } from '../../model/diff/cell-diff.js';
import type { Cell } from '../../model/resources.js';
import { applySpaceDefaults } from '../../model/space-defaults.js';
import { ControllerError } from '../controller-errors.js';
import type { CellPort, ScopeRunner } from '../runner-port.js';
import type { ApplyHandler } from './apply-types.js';
import { ensureParents } from './ensure-parents.js';

/** A cell that ended a create/start/update in one of these is reported as a failed apply. */
function assertHealthy(cell: Cell): void {
  const state = cell.status.state;
  if (state === 'Failed' || state === 'Error') {
    throw new ControllerError(
      ErrorCode.CELL_RECONCILE_FAILED,
      `cell "${cell.metadata.name}" is ${state} after apply${cell.status.message ? `: ${cell.status.message}` : ''}; ` +
        `inspect it with 'kuke get cell ${cell.metadata.name}' and its logs`,
    );
  }
}

/**
 * Cell apply: parents created with defaults; missing → create and start; no diff →
 * unchanged, or started again when it is Stopped/Exited, or recreated and started when Failed; a rejected (breaking, non-root) diff →
 * failed; otherwise the runner's update, which recreates the whole cell for a root change and
 * replaces changed workloads in place. A cell left Failed/Error fails the document.
 */
export function cellApplyHandler(runner: ScopeRunner, cells: CellPort): ApplyHandler {
  return async (doc: ParsedDocument) => {
    if (doc.kind !== 'Cell') throw new TypeError(`Cell handler got a ${doc.kind} document`);
    const input = cellFromDoc(doc.doc);
    const { realmId, spaceId, stackId } = input.spec;
    const name = input.metadata.name;
    const details = await ensureParents(runner, realmId, spaceId, stackId);
    const actual = await cells.getCell(realmId, spaceId, stackId, name);
    if (!actual) {
      const created = await cells.createCell(input, { start: true });
      const started = await cells.startCell(created.cell);
      assertHealthy(started);
      return { action: 'created', details };
    }
    // The diff must see the space defaults the runner merges into the stored cell.
    const space = await runner.getSpace(realmId, spaceId);
    const desired = applySpaceDefaults(input, space?.spec.defaults?.container);
    const diff = diffCell(desired, actual);
    if (diff.class === 'unchanged') {
      if (actual.status.state === 'Failed') {
        // A bring-up that failed (or that a crash cut short): applying the same file again is
        // the user asking for it to run, as `kuke start` would.
        const recreated = await cells.recreateCell(actual);
        assertHealthy(recreated);
        return { action: 'updated', changes: ['failed cell recreated and started'], details };
      }
      if (actual.status.state !== 'Stopped' && actual.status.state !== 'Exited') {
        return { action: 'unchanged', details };
      }
      const started = await cells.startCell(actual);
      assertHealthy(started);
      const workloads = actual.spec.containers.filter((c) => !c.root).map((c) => `container ${c.id} started`);
      return { action: 'updated', changes: ['stopped runtime re-materialised', ...workloads], details };
    }
    if (diff.class === 'rejected') {
      throw new ControllerError(ErrorCode.BREAKING_UPDATE, rejectMessage('Cell', name, diff));
    }
    const updated = await cells.updateCell(input);
    assertHealthy(updated.cell);
    const changes = updated.recreatedCell ? ['root container recreated'] : diff.changes.map((c) => c.path);
    return { action: 'updated', changes, details };
  };
}
