import { ErrorCode } from '../error-codes.js';
import { refuseUnsupportedFields } from '../api/index.js';
import type { Space } from '../model/resources.js';
import type { ControllerDeps } from './controller-deps.js';
import { hasChildren, notFound, wrapControllerError } from './controller-errors.js';
import type {
  CreateSpaceFacts,
  DeleteSpaceFacts,
  GetSpaceFacts,
  PurgeSpaceFacts,
  RemoveFlags,
  SpaceOutcome,
} from './results.js';
import { deleteGraceMs, scopeCreateFacts } from './results.js';

/** Create or re-ensure a space in an existing realm. */
export async function createSpace(
  deps: ControllerDeps,
  desired: Space,
): Promise<SpaceOutcome<CreateSpaceFacts>> {
  refuseUnsupportedFields('Space', desired);
  const r = await deps.runner.createSpace(desired);
  return {
    resource: r.space,
    facts: {
      ...scopeCreateFacts(r),
      CNINetworkExistsPre: r.networkExistedBefore,
      CNINetworkExistsPost: true,
      CNINetworkCreated: r.networkCreated,
      Created: r.created,
    },
  };
}

export async function getSpace(deps: ControllerDeps, request: Space): Promise<SpaceOutcome<GetSpaceFacts>> {
  const space = await deps.runner.getSpace(request.spec.realmId, request.metadata.name);
  if (!space) {
    return {
      resource: request,
      facts: { MetadataExists: false, CgroupExists: false, CNINetworkExists: false },
    };
  }
  const realm = space.spec.realmId;
  const name = space.metadata.name;
  const [cgroup, network] = await Promise.all([
    deps.probe.spaceCgroupExists(realm, name),
    deps.probe.spaceNetworkExists(realm, name),
  ]);
  return {
    resource: space,
    facts: { MetadataExists: true, CgroupExists: cgroup, CNINetworkExists: network },
  };
}

async function requireSpace(deps: ControllerDeps, realm: string, name: string): Promise<Space> {
  const space = await deps.runner.getSpace(realm, name);
  if (!space) throw notFound.space(realm.trim(), name.trim());
  return space;
}

/** Delete; `--force` removes children like a cascade (see deleteRealm). */
export async function deleteSpace(
  deps: ControllerDeps,
  realm: string,
  name: string,
  flags: RemoveFlags,
): Promise<SpaceOutcome<DeleteSpaceFacts>> {
  const space = await requireSpace(deps, realm, name);
  const r0 = space.spec.realmId;
  const n = space.metadata.name;
  const stacks = await deps.runner.listStacks(r0, n);
  if (stacks.length > 0 && !flags.cascade && !flags.force) {
    throw hasChildren('delete', 'space', n, stacks.length, 'stack');
  }
  try {
    const r = await deps.runner.deleteSpace(r0, n, {
      cascade: stacks.length > 0,
      graceMs: deleteGraceMs(flags),
    });
    const deleted = [...r.deleted];
    if (r.metadataDeleted) deleted.push('metadata');
    if (r.cgroupDeleted) deleted.push('cgroup');
    if (r.networkDeleted) deleted.push('network');
    return {
      resource: space,
      facts: {
        SpaceName: n,
        RealmName: r0,
        MetadataDeleted: r.metadataDeleted,
        CgroupDeleted: r.cgroupDeleted,
        CNINetworkDeleted: r.networkDeleted,
        Deleted: deleted,
      },
    };
  } catch (err) {
    throw wrapControllerError(ErrorCode.DELETE_SPACE, 'failed to delete space', err);
  }
}

/**
 * Purge: a missing space is not found and children without cascade/force are
 * refused (both thrown); a failure of the purge itself is reported in the result
 * (`PurgeSucceeded: false`, `purge-error:<text>` in `Purged`), not thrown.
 */
export async function purgeSpace(
  deps: ControllerDeps,
  realm: string,
  name: string,
  flags: RemoveFlags,
): Promise<SpaceOutcome<PurgeSpaceFacts>> {
  const space = await requireSpace(deps, realm, name);
  const r0 = space.spec.realmId;
  const n = space.metadata.name;
  const stacks = await deps.runner.listStacks(r0, n);
  if (stacks.length > 0 && !flags.cascade && !flags.force) {
    throw hasChildren('purge', 'space', n, stacks.length, 'stack');
  }
  const facts: PurgeSpaceFacts = {
    MetadataDeleted: false,
    CgroupDeleted: false,
    CNINetworkDeleted: false,
    PurgeSucceeded: false,
    Force: flags.force,
    Cascade: flags.cascade,
    Deleted: [],
    Purged: [],
  };
  try {
    const r = await deps.runner.purgeSpace(r0, n, { cascade: true });
    facts.Deleted.push(...r.deleted);
    facts.MetadataDeleted = r.metadataDeleted;
    facts.CgroupDeleted = r.cgroupDeleted;
    facts.CNINetworkDeleted = r.networkDeleted;
    if (r.networkDeleted) facts.Purged.push('cni-resources');
    if (r.metadataDeleted) facts.Purged.push('all-metadata');
    facts.PurgeSucceeded = true;
  } catch (err) {
    facts.Purged.push(`purge-error:${(err as Error).message ?? String(err)}`);
    deps.log.warn({ err, realm: r0, space: n }, 'purge space failed');
  }
  return { resource: space, facts };
}
