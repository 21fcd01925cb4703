import { ErrorCode } from '../error-codes.js';
import type { TerminalTask } from '../runner/terminal-host.js';
import type { ControllerDeps } from './controller-deps.js';
import { ControllerError } from './controller-errors.js';
import { cellContainer, type CellIdentity } from './cell-ops.js';

/**
 * AttachContainer: the container must exist, be attachable and have a
 * running task. Returns where its terminal is; the attach stream then joins the daemon's session.
 */
export async function attachContainer(
  deps: ControllerDeps,
  id: CellIdentity,
  container: string,
): Promise<TerminalTask> {
  const { cell, spec } = await cellContainer(deps, id, container);
  const cellName = cell.metadata.name;
  if (!spec.attachable || spec.root)
    throw new ControllerError(
      ErrorCode.ATTACH_NOT_SUPPORTED,
      `container "${container}" in cell "${cellName}" is not attachable: container is not attachable; recreate with attachable=true`,
    );
  const state = cell.status.containers.find((s) => s.id === container)?.state ?? 'Unknown';
  if (state !== 'Ready')
    throw new ControllerError(
      ErrorCode.ATTACH_TASK_NOT_RUNNING,
      `container task is not running; cannot attach to a dead socket: container "${container}" in cell "${cellName}" has state ${state}`,
    );
  if (!deps.cells.terminalTask)
    throw new ControllerError(ErrorCode.NOT_SUPPORTED, 'attach is not supported by this build');
  return deps.cells.terminalTask(cell, spec);
}
