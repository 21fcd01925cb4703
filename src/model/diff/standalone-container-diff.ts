/**
 * Standalone `kind: Container` apply: same field table with the
 * container's own `root` flag choosing the column, but every breaking change is rejected (never a
 * cell recreate); changes to the parent references are breaking.
 */
import type { ContainerSpec } from '../container.js';
import type { Change, DiffResult } from './change.js';
import { diffContainer } from './container-diff.js';

export function diffStandaloneContainer(desired: ContainerSpec, actual: ContainerSpec): DiffResult {
  const changes: Change[] = [];
  for (const f of ['realmId', 'spaceId', 'stackId', 'cellId'] as const) {
    if (desired[f] !== actual[f])
      changes.push({
        path: `spec.${f}`,
        class: 'breaking',
        action: 'reject',
        from: actual[f],
        to: desired[f],
      });
  }
  const prefix = desired.root ? 'rootContainer' : `containers[${desired.id}]`;
  for (const c of diffContainer(desired, actual, !!desired.root, prefix)) {
    changes.push(c.class === 'breaking' ? { ...c, action: 'reject' } : c);
  }
  if (changes.length === 0) return { class: 'unchanged', changes };
  return { class: changes.some((c) => c.class === 'breaking') ? 'rejected' : 'compatible', changes };
}
