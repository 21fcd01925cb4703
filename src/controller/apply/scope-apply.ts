import { ErrorCode } from '../../error-codes.js';
import { realmFromDoc, spaceFromDoc, stackFromDoc, type ParsedDocument } from '../../api/index.js';
import { rejectMessage, type DiffResult } from '../../model/diff/change.js';
import { diffRealm, diffSpace, diffStack } from '../../model/diff/scope-diff.js';
import { ControllerError } from '../controller-errors.js';
import type { ScopeRunner } from '../runner-port.js';
import type { ApplyHandler, ApplyOutcome } from './apply-types.js';
import { ensureParents } from './ensure-parents.js';

/**
 * Realm / Space / Stack apply: missing → create (parents created with defaults);
 * no diff → unchanged; breaking → failed, telling the operator to delete and recreate; else update.
 * The diff is classified here, before any runner call, so a rejected document changes nothing.
 */
async function reconcile(
  kind: string,
  name: string,
  diff: DiffResult,
  update: () => Promise<unknown>,
  details: Record<string, string>,
): Promise<ApplyOutcome> {
  if (diff.class === 'unchanged') return { action: 'unchanged', details };
  if (diff.class === 'rejected' || diff.class === 'breaking') {
    throw new ControllerError(ErrorCode.BREAKING_UPDATE, rejectMessage(kind, name, diff));
  }
  await update();
  return { action: 'updated', changes: diff.changes.map((c) => c.path), details };
}

function expectKind<K extends ParsedDocument['kind']>(
  doc: ParsedDocument,
  kind: K,
): Extract<ParsedDocument, { kind: K }> {
  if (doc.kind !== kind) throw new TypeError(`${kind} handler got a ${doc.kind} document`);
  return doc as Extract<ParsedDocument, { kind: K }>;
}

export function realmApplyHandler(runner: ScopeRunner): ApplyHandler {
  return async (doc) => {
    const desired = realmFromDoc(expectKind(doc, 'Realm').doc);
    const name = desired.metadata.name;
    const actual = await runner.getRealm(name);
    if (!actual) {
      await runner.createRealm(desired);
      return { action: 'created' };
    }
    // An inline registry password equal to the stored one is no change (docs/images.md).
    const diff = diffRealm(runner.realmAsStored(desired, actual), actual);
    return reconcile('Realm', name, diff, () => runner.updateRealm(desired), {});
  };
}

export function spaceApplyHandler(runner: ScopeRunner): ApplyHandler {
  return async (doc) => {
    const desired = spaceFromDoc(expectKind(doc, 'Space').doc);
    const { realmId } = desired.spec;
    const name = desired.metadata.name;
    const details = await ensureParents(runner, realmId);
    const actual = await runner.getSpace(realmId, name);
    if (!actual) {
      await runner.createSpace(desired);
      return { action: 'created', details };
    }
    return reconcile('Space', name, diffSpace(desired, actual), () => runner.updateSpace(desired), details);
  };
}

export function stackApplyHandler(runner: ScopeRunner): ApplyHandler {
  return async (doc) => {
    const desired = stackFromDoc(expectKind(doc, 'Stack').doc);
    const { realmId, spaceId } = desired.spec;
    const name = desired.metadata.name;
    const details = await ensureParents(runner, realmId, spaceId);
    const actual = await runner.getStack(realmId, spaceId, name);
    if (!actual) {
      await runner.createStack(desired);
      return { action: 'created', details };
    }
    return reconcile('Stack', name, diffStack(desired, actual), () => runner.updateStack(desired), details);
  };
}

/** For kinds this build cannot apply yet: every such document fails with `message`. */
export function unsupportedApplyHandler(message: string): ApplyHandler {
  return () => Promise.reject(new ControllerError(ErrorCode.NOT_SUPPORTED, message));
}
