import { ErrorCode } from '../error-codes.js';
import type { RunnerContext } from './runner-context.js';
import { RunnerError } from './runner-errors.js';

/**
 * Refuses to remove a scope that still holds children, naming them ("resource has
 * child resources"). `what` is e.g. `realm "dev"`, `childKind` e.g. `spaces`.
 */
export async function assertNoChildren(
  ctx: RunnerContext,
  scope: readonly string[],
  what: string,
  childKind: string,
): Promise<void> {
  const children = await ctx.store.listChildren(scope);
  if (children.length > 0) {
    throw new RunnerError(
      ErrorCode.RESOURCE_HAS_DEPENDENCIES,
      `${what} has child resources (${childKind}: ${children.join(', ')}); delete them first or use --cascade`,
    );
  }
}
