import { ErrorCode } from '../../error-codes.js';
import type { Space } from '../../model/resources.js';
import { listResources, readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import { listRealms } from '../realm/realm-queries.js';

export async function getSpace(ctx: RunnerContext, realm: string, name: string): Promise<Space | undefined> {
  return readResource(ctx, 'Space', scopes.space(validName('realm', realm), validName('space', name)));
}

export async function requireSpace(ctx: RunnerContext, realm: string, name: string): Promise<Space> {
  const space = await getSpace(ctx, realm, name);
  if (!space) {
    throw new RunnerError(
      ErrorCode.SPACE_NOT_FOUND,
      `space "${name.trim()}" not found in realm "${realm.trim()}"`,
    );
  }
  return space;
}

/** Spaces of one realm, or of every realm when `realm` is empty. */
export async function listSpaces(ctx: RunnerContext, realm = ''): Promise<Space[]> {
  if (realm.trim()) return listResources(ctx, 'Space', scopes.realm(validName('realm', realm)));
  const out: Space[] = [];
  for (const r of await listRealms(ctx))
    out.push(...(await listResources(ctx, 'Space', scopes.realm(r.metadata.name))));
  return out;
}
