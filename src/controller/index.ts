/** Public surface of the controller layer. */
export { Controller, type ControllerOptions, type ScopeOps, type ScopeOpsTable } from './controller.js';
export { identityOf, type CellIdentity } from './cell-ops.js';
export { runnerCellPort } from './runner-cell-port.js';
export type { ApplyResult, ApplyAction, ApplyHandler, ApplyOutcome } from './apply/apply-types.js';
export type { DeleteResult, DeleteAction, DeleteHandler } from './delete-documents.js';
export type { RefreshAllReport } from './refresh-all.js';
export type { CellPassReport, SpacePassReport } from './reconcile-passes.js';
export type { HostProbe } from '../runner/host-probe.js';
export type { CellPort, CellReconcileOutcome, ScopeRunner } from './runner-port.js';
export type * from './results.js';
export { ControllerError, isNotFoundError } from './controller-errors.js';
export type { ScopedOps, ScopedDoc, ScopedCoordinates } from './scoped-ops.js';
export type { ScopedOpsTable } from './controller.js';
