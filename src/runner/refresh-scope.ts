import { access } from 'node:fs/promises';
import { spaceNetworkRef } from '../cni/index.js';
import { realmCgroupPath, spaceCgroupPath, stackCgroupPath } from '../model/naming/index.js';
import type { Realm, Space, Stack } from '../model/resources.js';
import { namespaceExists } from './realm/realm-host.js';
import { isStale, loadResource, persistResource } from './resource-store.js';
import { scopes } from './resource-names.js';
import type { RunnerContext } from './runner-context.js';

export interface RefreshResult<M> {
  resource: M;
  /** True when the observed status differed from the persisted one and was written. */
  updated: boolean;
  /** What is missing on the host, e.g. `containerd namespace`, `cgroup`, `CNI conflist`. */
  missing: string[];
}

const fileExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Observes a realm's host state and records it: Ready when its namespace and cgroup exist,
 * Unknown (with a message naming what is missing) otherwise. No repair (that is Ensure). Unlike
 * the original only the observed fields change; the rest of the status is kept.
 */
export async function refreshRealm(
  ctx: RunnerContext,
  name: string,
): Promise<RefreshResult<Realm> | undefined> {
  const loaded = await loadResource(ctx, 'Realm', scopes.realm(name));
  if (!loaded) return undefined;
  const realm = loaded.model;
  const cgroup = (await ctx.cgroups.exists(realmCgroupPath(ctx.config.cgroupRoot, name))).exists;
  const ns = await namespaceExists(ctx, realm.spec.namespace);
  const missing = [...(ns ? [] : ['containerd namespace']), ...(cgroup ? [] : ['cgroup'])];
  const next: Realm = {
    ...realm,
    status: { ...realm.status, ...observed(missing), cgroupReady: cgroup, containerdNamespaceReady: ns },
  };
  return record(ctx, 'Realm', scopes.realm(name), realm, next, loaded.bytes, missing);
}

export async function refreshSpace(
  ctx: RunnerContext,
  realm: string,
  name: string,
): Promise<RefreshResult<Space> | undefined> {
  const loaded = await loadResource(ctx, 'Space', scopes.space(realm, name));
  if (!loaded) return undefined;
  const space = loaded.model;
  const conflist = await fileExists(spaceNetworkRef(ctx.cni, realm, name).conflistPath);
  const cgroup = (await ctx.cgroups.exists(spaceCgroupPath(ctx.config.cgroupRoot, realm, name))).exists;
  const missing = [...(conflist ? [] : ['CNI conflist']), ...(cgroup ? [] : ['cgroup'])];
  const next: Space = { ...space, status: { ...space.status, ...observed(missing), cgroupReady: cgroup } };
  return record(ctx, 'Space', scopes.space(realm, name), space, next, loaded.bytes, missing);
}

export async function refreshStack(
  ctx: RunnerContext,
  realm: string,
  space: string,
  name: string,
): Promise<RefreshResult<Stack> | undefined> {
  const loaded = await loadResource(ctx, 'Stack', scopes.stack(realm, space, name));
  if (!loaded) return undefined;
  const stack = loaded.model;
  const cgroup = (await ctx.cgroups.exists(stackCgroupPath(ctx.config.cgroupRoot, realm, space, name)))
    .exists;
  const missing = cgroup ? [] : ['cgroup'];
  const next: Stack = { ...stack, status: { ...stack.status, ...observed(missing), cgroupReady: cgroup } };
  return record(ctx, 'Stack', scopes.stack(realm, space, name), stack, next, loaded.bytes, missing);
}

function observed(missing: string[]): { state: 'Ready' | 'Unknown'; reason?: string; message?: string } {
  if (missing.length === 0) return { state: 'Ready', reason: undefined, message: undefined };
  return {
    state: 'Unknown',
    reason: 'HostStateMissing',
    message: `missing on the host: ${missing.join(', ')}`,
  };
}

type Scoped = Realm | Space | Stack;

async function record<M extends Scoped>(
  ctx: RunnerContext,
  kind: 'Realm' | 'Space' | 'Stack',
  scope: string[],
  before: M,
  next: M,
  bytes: Buffer,
  missing: string[],
): Promise<RefreshResult<M>> {
  const keys = ['state', 'reason', 'message', 'cgroupReady', 'containerdNamespaceReady'] as const;
  const b = before.status as unknown as Record<string, unknown>;
  const n = next.status as unknown as Record<string, unknown>;
  if (keys.every((k) => b[k] === n[k])) return { resource: before, updated: false, missing };
  try {
    // Guarded: a concurrent writer wins and this observation is simply dropped (next refresh).
    const written = await persistResource(ctx, kind, scope, next as never, { observed: bytes });
    return { resource: written as M, updated: true, missing };
  } catch (err) {
    if (isStale(err)) return { resource: before, updated: false, missing };
    throw err;
  }
}
