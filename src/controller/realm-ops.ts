import { ErrorCode } from '../error-codes.js';
import { refuseUnsupportedFields } from '../api/index.js';
import { realmNamespace } from '../model/naming/index.js';
import type { Realm } from '../model/resources.js';
import type { ControllerDeps } from './controller-deps.js';
import { hasChildren, notFound, wrapControllerError } from './controller-errors.js';
import type {
  CreateRealmFacts,
  DeleteRealmFacts,
  GetRealmFacts,
  PurgeRealmFacts,
  RealmOutcome,
  RemoveFlags,
} from './results.js';
import { deleteGraceMs, scopeCreateFacts } from './results.js';

/** Create or re-ensure a realm. Existing → ensured, `Created: false`. */
export async function createRealm(
  deps: ControllerDeps,
  desired: Realm,
): Promise<RealmOutcome<CreateRealmFacts>> {
  refuseUnsupportedFields('Realm', desired);
  const r = await deps.runner.createRealm(desired);
  return {
    resource: r.realm,
    facts: {
      ...scopeCreateFacts(r),
      ContainerdNamespaceExistsPre: r.namespaceExistedBefore,
      ContainerdNamespaceExistsPost: true,
      ContainerdNamespaceCreated: r.namespaceCreated,
      Created: r.created,
    },
  };
}

/** Get with existence facts; absence is reported in the facts (the request is echoed), not thrown. */
export async function getRealm(deps: ControllerDeps, request: Realm): Promise<RealmOutcome<GetRealmFacts>> {
  const name = request.metadata.name;
  const realm = await deps.runner.getRealm(name);
  if (!realm) {
    return {
      resource: request,
      facts: { MetadataExists: false, CgroupExists: false, ContainerdNamespaceExists: false },
    };
  }
  const [cgroup, namespace] = await Promise.all([
    deps.probe.realmCgroupExists(realm.metadata.name),
    deps.probe.namespaceExists(realm.spec.namespace),
  ]);
  return {
    resource: realm,
    facts: { MetadataExists: true, CgroupExists: cgroup, ContainerdNamespaceExists: namespace },
  };
}

/**
 * Delete: missing → not found; spaces present without cascade/force → refused.
 * `--force` skips the check; because the runner never leaves children without a parent (that
 * would orphan their host state), forced children are removed like a cascade.
 */
export async function deleteRealm(
  deps: ControllerDeps,
  name: string,
  flags: RemoveFlags,
): Promise<RealmOutcome<DeleteRealmFacts>> {
  const realm = await deps.runner.getRealm(name);
  if (!realm) throw notFound.realm(name.trim());
  const spaces = await deps.runner.listSpaces(realm.metadata.name);
  if (spaces.length > 0 && !flags.cascade && !flags.force) {
    throw hasChildren('delete', 'realm', realm.metadata.name, spaces.length, 'space');
  }
  try {
    // The runner cascades depth-first (cells → stacks → spaces) under the realm's lock.
    const r = await deps.runner.deleteRealm(realm.metadata.name, {
      cascade: spaces.length > 0,
      graceMs: deleteGraceMs(flags),
    });
    const deleted = [...r.deleted];
    if (r.metadataDeleted) deleted.push('metadata');
    if (r.cgroupDeleted) deleted.push('cgroup');
    if (r.namespaceDeleted) deleted.push('namespace');
    return {
      resource: realm,
      facts: {
        Deleted: deleted,
        MetadataDeleted: r.metadataDeleted,
        CgroupDeleted: r.cgroupDeleted,
        ContainerdNamespaceDeleted: r.namespaceDeleted,
      },
    };
  } catch (err) {
    throw wrapControllerError(ErrorCode.DELETE_REALM, 'failed to delete realm', err);
  }
}

/**
 * Purge: works without metadata (a synthesised realm, state Unknown, is reported),
 * refuses children without cascade/force like delete, always runs the runner purge and, unlike the
 * other purges, returns its error.
 */
export async function purgeRealm(
  deps: ControllerDeps,
  name: string,
  flags: RemoveFlags,
): Promise<RealmOutcome<PurgeRealmFacts>> {
  const trimmed = name.trim();
  // A corrupt document must not block a purge.
  const stored = await deps.runner.getRealm(trimmed).catch(() => undefined);
  const realm: Realm = stored ?? {
    metadata: { name: trimmed, labels: {} },
    spec: { namespace: realmNamespace(trimmed, deps.namespaceSuffix) },
    status: { state: 'Unknown', cgroupPath: '' },
  };
  if (stored) {
    const spaces = await deps.runner.listSpaces(trimmed).catch(() => []);
    if (spaces.length > 0 && !flags.cascade && !flags.force) {
      throw hasChildren('purge', 'realm', trimmed, spaces.length, 'space');
    }
  }
  const r = await deps.runner.purgeRealm(trimmed, { cascade: true });
  const deleted = [...r.deleted];
  const purged: string[] = [];
  if (r.namespaceDeleted) purged.push('containerd-namespace');
  if (r.cgroupDeleted) purged.push('cgroup');
  if (r.deleted.some((d) => d.startsWith('space:'))) purged.push('cni-resources');
  if (r.metadataDeleted) purged.push('all-metadata');
  return {
    resource: realm,
    facts: {
      RealmDeleted: r.metadataDeleted || r.namespaceDeleted || r.cgroupDeleted,
      PurgeSucceeded: true,
      Force: flags.force,
      Cascade: flags.cascade,
      Deleted: deleted,
      Purged: purged,
    },
  };
}

/** `kuke create registry-credential` (docs/images.md): the realm's entry for the server added or replaced. */
export async function createRegistryCredential(
  deps: ControllerDeps,
  realm: string,
  input: { username: string; password: string; serverAddress?: string },
): Promise<{ resource: Realm; action: string }> {
  const r = await deps.runner.setRegistryCredential(realm, input);
  return { resource: r.realm, action: r.action };
}

/** `kuke delete registry-credential`: the realm's entry for the server (or its default entry) removed. */
export async function deleteRegistryCredential(
  deps: ControllerDeps,
  realm: string,
  serverAddress: string | undefined,
): Promise<Realm> {
  return deps.runner.removeRegistryCredential(realm, serverAddress);
}
