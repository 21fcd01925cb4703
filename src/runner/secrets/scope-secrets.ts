import { removeSecretSubtree } from '../../store/index.js';
import type { RunnerContext } from '../runner-context.js';

/**
 * A deleted scope takes its Secrets (and those of its children) with it: called before the
 * scope's metadata goes, so a crash in between leaves the delete intent to finish it.
 */
export async function removeScopeSecrets(ctx: RunnerContext, scope: readonly string[]): Promise<void> {
  await removeSecretSubtree(ctx.config.secretStoreDir, scope);
}
