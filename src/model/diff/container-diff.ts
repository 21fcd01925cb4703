/**
 * Field-by-field container comparison. The column (root vs
 * workload) decides each field's class; `action` tells the runner what to do.
 *
 * Deliberate differences from the original:
 * - workload `privileged`, `user`, `readOnlyRootFilesystem`, `capabilities`, `tmpfs`,
 *   `resources` recreate the container (they are in the spec-hash domain; persisting them
 *   without a recreate left a stale hash that later blocked restarts);
 * - `restartBackoffSeconds` / `restartMaxRetries` changes are detected (persisted);
 * - `kukeonGroupGID` is compared: it reaches the process (a supplementary group), and like `env`
 *   and `git` a change gives the container a new spec hash, so the runner recreates it.
 * - `ports` (published ports, an extension) recreate the cell in place: compatible, not rejected.
 */
import type { ContainerSpec } from '../container.js';
import type { Change } from './change.js';
import { semanticEqual } from './equal.js';

type Rule = 'root-breaking' | 'compatible' | 'breaking';

/** Compared fields in spec-table order, with their rule. */
const fieldRules: [keyof ContainerSpec, Rule][] = [
  ['image', 'root-breaking'],
  ['command', 'root-breaking'],
  ['args', 'root-breaking'],
  ['workingDir', 'root-breaking'],
  ['env', 'compatible'],
  ['ports', 'compatible'],
  ['volumes', 'root-breaking'],
  ['networks', 'compatible'],
  ['networksAliases', 'compatible'],
  ['privileged', 'root-breaking'],
  ['hostNetwork', 'breaking'],
  ['hostPID', 'breaking'],
  ['hostCgroup', 'breaking'],
  ['user', 'root-breaking'],
  ['readOnlyRootFilesystem', 'root-breaking'],
  ['capabilities', 'root-breaking'],
  ['securityOpts', 'root-breaking'],
  ['devices', 'root-breaking'],
  ['tmpfs', 'root-breaking'],
  ['resources', 'root-breaking'],
  ['secrets', 'root-breaking'],
  ['repos', 'compatible'],
  ['git', 'compatible'],
  ['cniConfigPath', 'compatible'],
  ['restartPolicy', 'compatible'],
  ['restartBackoffSeconds', 'compatible'],
  ['restartMaxRetries', 'compatible'],
  ['imagePullPolicy', 'compatible'],
  ['stopSignal', 'compatible'],
  ['stopGracePeriodSeconds', 'compatible'],
  ['attachable', 'compatible'],
  ['tty', 'compatible'],
  ['kukeonGroupGID', 'compatible'],
];

/** Fields whose change takes effect only through a new container (root-breaking = hash domain + mounts). */
const recreateOnWorkload = new Set(fieldRules.filter(([, r]) => r === 'root-breaking').map(([f]) => f));

/**
 * Compare one container. `prefix` is `rootContainer` or `containers[<id>]`. For a standalone
 * Container document, breaking changes are rejected by the caller.
 */
export function diffContainer(
  desired: ContainerSpec,
  actual: ContainerSpec,
  isRoot: boolean,
  prefix: string,
): Change[] {
  const changes: Change[] = [];
  for (const [field, rule] of fieldRules) {
    const to = desired[field];
    const from = actual[field];
    if (field === 'cniConfigPath' && !to) continue; // daemon-managed: only a non-empty desired value counts
    if (
      field === 'restartBackoffSeconds' ||
      field === 'restartMaxRetries' ||
      field === 'stopGracePeriodSeconds'
    ) {
      // 0 and unset differ here (0 disables the backoff or the grace; unset means the default).
      if (to === from) continue;
    } else if (semanticEqual(to, from)) {
      continue;
    }
    const path = `${prefix}.${field}`;
    if (rule === 'breaking' || (rule === 'root-breaking' && isRoot)) {
      changes.push({ path, class: 'breaking', action: isRoot ? 'recreate-cell' : 'reject', from, to });
    } else if (field === 'ports') {
      // Published when the root attaches to the network: the whole cell is recreated (with its
      // new ports checked free first), root or workload alike (docs/networking-ports.md).
      changes.push({ path, class: 'compatible', action: 'recreate-cell', from, to });
    } else {
      const action = recreateOnWorkload.has(field) ? 'recreate-container' : 'persist';
      changes.push({ path, class: 'compatible', action, from, to });
    }
  }
  return changes;
}
