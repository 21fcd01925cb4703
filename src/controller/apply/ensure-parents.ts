import type { ScopeRunner } from '../runner-port.js';

/**
 * Applying a space, stack or cell creates missing parents with defaults (no labels,
 * default namespace, stack ID = name). Returns what it created, e.g. `{ realm: 'created' }`, for
 * the result's `details`.
 */
export async function ensureParents(
  runner: ScopeRunner,
  realm: string,
  space?: string,
  stack?: string,
): Promise<Record<string, string>> {
  const created: Record<string, string> = {};
  if (!(await runner.getRealm(realm))) {
    await runner.createRealm({
      metadata: { name: realm, labels: {} },
      spec: { namespace: '' },
      status: { state: 'Pending', cgroupPath: '' },
    });
    created.realm = 'created';
  }
  if (space === undefined) return created;
  if (!(await runner.getSpace(realm, space))) {
    await runner.createSpace({
      metadata: { name: space, labels: {} },
      spec: { realmId: realm },
      status: { state: 'Pending', cgroupPath: '' },
    });
    created.space = 'created';
  }
  if (stack === undefined) return created;
  if (!(await runner.getStack(realm, space, stack))) {
    await runner.createStack({
      metadata: { name: stack, labels: {} },
      spec: { id: stack, realmId: realm, spaceId: space },
      status: { state: 'Pending', cgroupPath: '' },
    });
    created.stack = 'created';
  }
  return created;
}
