/**
 * Cell diff and apply decision. The desired cell must already have
 * the space defaults merged (see applySpaceDefaults) — that is what makes re-applying an unchanged
 * manifest report `unchanged` in a space with defaults.
 *
 * Decision: no change → unchanged; the root differs and the combined change is breaking, or
 * `nestedCgroupRuntime` changed → breaking (recreate the cell); any other breaking change →
 * rejected; else compatible (in place).
 * Deliberate differences from the original: `nestedCgroupRuntime` recreates the cell
 * instead of being rejected; `tty` and `autoDelete` changes must be persisted by the runner.
 */
import type { Cell } from '../resources.js';
import type { Change, DiffResult } from './change.js';
import { diffContainer } from './container-diff.js';
import { semanticEqual } from './equal.js';
import { userLabels } from '../label-merge.js';

export function diffCell(desired: Cell, actual: Cell): DiffResult {
  const changes: Change[] = [];
  for (const f of ['realmId', 'spaceId', 'stackId'] as const) {
    if (desired.spec[f] !== actual.spec[f]) {
      // A different resource path: nothing else is meaningful.
      return {
        class: 'rejected',
        changes: [
          {
            path: `spec.${f}`,
            class: 'breaking',
            action: 'reject',
            from: actual.spec[f],
            to: desired.spec[f],
          },
        ],
      };
    }
  }
  const dl = userLabels(desired.metadata.labels);
  const al = userLabels(actual.metadata.labels);
  if (!semanticEqual(dl, al))
    changes.push({ path: 'metadata.labels', class: 'compatible', action: 'merge-labels', from: al, to: dl });
  const dt = desired.spec.tty?.default ?? '';
  const at = actual.spec.tty?.default ?? '';
  if (dt !== at)
    changes.push({ path: 'spec.tty.default', class: 'compatible', action: 'persist', from: at, to: dt });
  if (!!desired.spec.autoDelete !== !!actual.spec.autoDelete) {
    changes.push({
      path: 'spec.autoDelete',
      class: 'compatible',
      action: 'persist',
      from: !!actual.spec.autoDelete,
      to: !!desired.spec.autoDelete,
    });
  }
  let forceRecreate = false;
  if (!!desired.spec.nestedCgroupRuntime !== !!actual.spec.nestedCgroupRuntime) {
    forceRecreate = true;
    changes.push({
      path: 'spec.nestedCgroupRuntime',
      class: 'breaking',
      action: 'recreate-cell',
      from: !!actual.spec.nestedCgroupRuntime,
      to: !!desired.spec.nestedCgroupRuntime,
    });
  }

  // Root: compared only when the manifest names one; a stored (possibly synthesized) root is
  // otherwise an implementation detail.
  const dRoot = desired.spec.containers.find((c) => c.root);
  const aRoot = actual.spec.containers.find((c) => c.root);
  let rootChanged = false;
  if (dRoot && !aRoot) {
    rootChanged = true;
    changes.push({
      path: 'rootContainer',
      class: 'breaking',
      action: 'recreate-cell',
      from: undefined,
      to: dRoot.id,
    });
  } else if (dRoot && aRoot) {
    const rc = diffContainer(dRoot, aRoot, true, 'rootContainer');
    if (dRoot.id !== aRoot.id)
      rc.unshift({
        path: 'rootContainer.id',
        class: 'breaking',
        action: 'recreate-cell',
        from: aRoot.id,
        to: dRoot.id,
      });
    rootChanged = rc.length > 0;
    changes.push(...rc);
  }

  const actualWorkloads = new Map(actual.spec.containers.filter((c) => !c.root).map((c) => [c.id, c]));
  const desiredIds = new Set<string>();
  for (const d of desired.spec.containers.filter((c) => !c.root)) {
    desiredIds.add(d.id);
    const a = actualWorkloads.get(d.id);
    if (!a)
      changes.push({ path: `containers[${d.id}]`, class: 'additive', action: 'add-container', to: d.id });
    else changes.push(...diffContainer(d, a, false, `containers[${d.id}]`));
  }
  for (const id of actualWorkloads.keys()) {
    if (!desiredIds.has(id))
      changes.push({ path: `containers[${id}]`, class: 'additive', action: 'remove-container', from: id });
  }

  if (changes.length === 0) return { class: 'unchanged', changes };
  const breaking = changes.some((c) => c.class === 'breaking');
  if (forceRecreate || (breaking && rootChanged)) {
    // Every change is realised by the recreate.
    return {
      class: 'breaking',
      changes: changes.map((c) => (c.action === 'reject' ? { ...c, action: 'recreate-cell' } : c)),
    };
  }
  return { class: breaking ? 'rejected' : 'compatible', changes };
}
