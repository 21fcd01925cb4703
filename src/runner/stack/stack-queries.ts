import { ErrorCode } from '../../error-codes.js';
import type { Stack } from '../../model/resources.js';
import { listResources, readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';

export async function getStack(
  ctx: RunnerContext,
  realm: string,
  space: string,
  name: string,
): Promise<Stack | undefined> {
  return readResource(
    ctx,
    'Stack',
    scopes.stack(validName('realm', realm), validName('space', space), validName('stack', name)),
  );
}

export async function requireStack(
  ctx: RunnerContext,
  realm: string,
  space: string,
  name: string,
): Promise<Stack> {
  const stack = await getStack(ctx, realm, space, name);
  if (!stack) {
    throw new RunnerError(
      ErrorCode.STACK_NOT_FOUND,
      `stack "${name.trim()}" not found in realm "${realm.trim()}", space "${space.trim()}"`,
    );
  }
  return stack;
}

export async function listStacks(ctx: RunnerContext, realm: string, space: string): Promise<Stack[]> {
  return listResources(ctx, 'Stack', scopes.space(validName('realm', realm), validName('space', space)));
}
