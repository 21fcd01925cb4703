/**
 * Realm / Space / Stack diffs: breaking ⇒ rejected, else compatible.
 * Deliberate differences from the original: managed `*.kukeon.io` labels are ignored for every
 * kind (they are preserved on update anyway, so a manifest that omits them is not a change), and
 * `Space.spec.network` (egress) is compared as a compatible change so re-applying a new policy
 * updates it (the original neither detected nor persisted it).
 */
import type { Realm, Space, Stack } from '../resources.js';
import type { Change, DiffResult } from './change.js';
import { semanticEqual } from './equal.js';
import { userLabels } from '../label-merge.js';
import { parseSpaceIsolation } from '../space-isolation.js';

function result(changes: Change[]): DiffResult {
  if (changes.length === 0) return { class: 'unchanged', changes };
  return { class: changes.some((c) => c.class === 'breaking') ? 'rejected' : 'compatible', changes };
}

function labels(desired: Record<string, string>, actual: Record<string, string>): Change[] {
  const d = userLabels(desired);
  const a = userLabels(actual);
  return semanticEqual(d, a)
    ? []
    : [{ path: 'metadata.labels', class: 'compatible', action: 'merge-labels', from: a, to: d }];
}

const breaking = (path: string, from: unknown, to: unknown): Change => ({
  path,
  class: 'breaking',
  action: 'reject',
  from,
  to,
});
const compatible = (path: string, from: unknown, to: unknown): Change => ({
  path,
  class: 'compatible',
  action: 'persist',
  from,
  to,
});

/** A change record may be printed or logged: it never carries an inline registry password. */
function withoutPasswords(creds: Realm['spec']['registryCredentials']): unknown {
  return creds?.map(({ password, ...rest }) => (password ? { ...rest, password: '(inline)' } : rest));
}

export function diffRealm(desired: Realm, actual: Realm): DiffResult {
  const changes: Change[] = [];
  if (desired.metadata.name !== actual.metadata.name)
    changes.push(breaking('metadata.name', actual.metadata.name, desired.metadata.name));
  if (desired.spec.namespace && desired.spec.namespace !== actual.spec.namespace) {
    changes.push(breaking('spec.namespace', actual.spec.namespace, desired.spec.namespace));
  }
  changes.push(...labels(desired.metadata.labels, actual.metadata.labels));
  if (!semanticEqual(desired.spec.registryCredentials, actual.spec.registryCredentials)) {
    changes.push(
      compatible(
        'spec.registryCredentials',
        withoutPasswords(actual.spec.registryCredentials),
        withoutPasswords(desired.spec.registryCredentials),
      ),
    );
  }
  return result(changes);
}

export function diffSpace(desired: Space, actual: Space): DiffResult {
  const changes: Change[] = [];
  if (desired.metadata.name !== actual.metadata.name)
    changes.push(breaking('metadata.name', actual.metadata.name, desired.metadata.name));
  if (desired.spec.realmId !== actual.spec.realmId)
    changes.push(breaking('spec.realmId', actual.spec.realmId, desired.spec.realmId));
  if (desired.spec.cniConfigPath && desired.spec.cniConfigPath !== actual.spec.cniConfigPath) {
    changes.push(breaking('spec.cniConfigPath', actual.spec.cniConfigPath, desired.spec.cniConfigPath));
  }
  changes.push(...labels(desired.metadata.labels, actual.metadata.labels));
  if (!semanticEqual(desired.spec.defaults?.container, actual.spec.defaults?.container)) {
    changes.push(
      compatible(
        'spec.defaults.container',
        actual.spec.defaults?.container,
        desired.spec.defaults?.container,
      ),
    );
  }
  if (!semanticEqual(desired.spec.network?.egress, actual.spec.network?.egress)) {
    changes.push(
      compatible('spec.network.egress', actual.spec.network?.egress, desired.spec.network?.egress),
    );
  }
  // Our extension (docs/cell-isolation.md): applied at once by updateSpace, like the egress policy.
  if (
    parseSpaceIsolation(desired.spec.network?.isolation) !==
    parseSpaceIsolation(actual.spec.network?.isolation)
  ) {
    changes.push(
      compatible('spec.network.isolation', actual.spec.network?.isolation, desired.spec.network?.isolation),
    );
  }
  return result(changes);
}

export function diffStack(desired: Stack, actual: Stack): DiffResult {
  const changes: Change[] = [];
  if (desired.metadata.name !== actual.metadata.name)
    changes.push(breaking('metadata.name', actual.metadata.name, desired.metadata.name));
  if (desired.spec.realmId !== actual.spec.realmId)
    changes.push(breaking('spec.realmId', actual.spec.realmId, desired.spec.realmId));
  if (desired.spec.spaceId !== actual.spec.spaceId)
    changes.push(breaking('spec.spaceId', actual.spec.spaceId, desired.spec.spaceId));
  changes.push(...labels(desired.metadata.labels, actual.metadata.labels));
  if (desired.spec.id && desired.spec.id !== actual.spec.id)
    changes.push(compatible('spec.id', actual.spec.id, desired.spec.id));
  return result(changes);
}
