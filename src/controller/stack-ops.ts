import { ErrorCode } from '../error-codes.js';
import { refuseUnsupportedFields } from '../api/index.js';
import type { Stack } from '../model/resources.js';
import { countCells } from './cascade-cells.js';
import type { ControllerDeps } from './controller-deps.js';
import { hasChildren, notFound, wrapControllerError } from './controller-errors.js';
import type {
  CreateStackFacts,
  DeleteStackFacts,
  GetStackFacts,
  PurgeStackFacts,
  RemoveFlags,
  StackOutcome,
} from './results.js';
import { deleteGraceMs, scopeCreateFacts } from './results.js';

/** Create or re-ensure a stack in an existing space. */
export async function createStack(
  deps: ControllerDeps,
  desired: Stack,
): Promise<StackOutcome<CreateStackFacts>> {
  refuseUnsupportedFields('Stack', desired);
  const r = await deps.runner.createStack(desired);
  return {
    resource: r.stack,
    facts: {
      ...scopeCreateFacts(r),
      Created: r.created,
    },
  };
}

export async function getStack(deps: ControllerDeps, request: Stack): Promise<StackOutcome<GetStackFacts>> {
  const { realmId, spaceId } = request.spec;
  const stack = await deps.runner.getStack(realmId, spaceId, request.metadata.name);
  if (!stack) return { resource: request, facts: { MetadataExists: false, CgroupExists: false } };
  const cgroup = await deps.probe.stackCgroupExists(
    stack.spec.realmId,
    stack.spec.spaceId,
    stack.metadata.name,
  );
  return { resource: stack, facts: { MetadataExists: true, CgroupExists: cgroup } };
}

async function requireStack(
  deps: ControllerDeps,
  realm: string,
  space: string,
  name: string,
): Promise<Stack> {
  const stack = await deps.runner.getStack(realm, space, name);
  if (!stack) throw notFound.stack(realm.trim(), space.trim(), name.trim());
  return stack;
}

/** Delete: cells first with cascade (or force); refused otherwise. */
export async function deleteStack(
  deps: ControllerDeps,
  realm: string,
  space: string,
  name: string,
  flags: RemoveFlags,
): Promise<StackOutcome<DeleteStackFacts>> {
  const stack = await requireStack(deps, realm, space, name);
  const { realmId: r0, spaceId: s0 } = stack.spec;
  const n = stack.metadata.name;
  const cells = await countCells(deps, r0, s0, n);
  if (cells > 0 && !flags.cascade && !flags.force) throw hasChildren('delete', 'stack', n, cells, 'cell');
  try {
    const r = await deps.runner.deleteStack(r0, s0, n, { cascade: cells > 0, graceMs: deleteGraceMs(flags) });
    const deleted = [...r.deleted];
    if (r.metadataDeleted) deleted.push('metadata');
    if (r.cgroupDeleted) deleted.push('cgroup');
    return {
      resource: stack,
      facts: {
        StackName: n,
        RealmName: r0,
        SpaceName: s0,
        MetadataDeleted: r.metadataDeleted,
        CgroupDeleted: r.cgroupDeleted,
        Deleted: deleted,
      },
    };
  } catch (err) {
    throw wrapControllerError(ErrorCode.DELETE_STACK, 'failed to delete stack', err);
  }
}

/** Purge: like purgeSpace, failures of the purge itself are reported in `Purged`, not thrown. */
export async function purgeStack(
  deps: ControllerDeps,
  realm: string,
  space: string,
  name: string,
  flags: RemoveFlags,
): Promise<StackOutcome<PurgeStackFacts>> {
  const stack = await requireStack(deps, realm, space, name);
  const { realmId: r0, spaceId: s0 } = stack.spec;
  const n = stack.metadata.name;
  const cells = await countCells(deps, r0, s0, n);
  if (cells > 0 && !flags.cascade && !flags.force) throw hasChildren('purge', 'stack', n, cells, 'cell');
  const facts: PurgeStackFacts = { Deleted: [], Purged: [] };
  try {
    const r = await deps.runner.purgeStack(r0, s0, n, { cascade: true });
    facts.Deleted.push(...r.deleted);
    if (r.metadataDeleted) facts.Deleted.push('metadata');
    if (r.cgroupDeleted) facts.Deleted.push('cgroup');
    facts.Purged.push('all-metadata');
  } catch (err) {
    facts.Purged.push(`purge-error:${(err as Error).message ?? String(err)}`);
    deps.log.warn({ err, realm: r0, space: s0, stack: n }, 'purge stack failed');
  }
  return { resource: stack, facts };
}
