import type { Intent, IntentInput } from '../store/index.js';
import type { RunnerContext } from './runner-context.js';

export interface IntentOptions {
  /**
   * Undo what `run` did when it fails with an error the caller will see. When the rollback
   * succeeds the intent is cleared ("not at all"); when it fails, the intent stays pending and
   * recovery finishes the rollback later. Without a rollback a failed operation's intent stays
   * pending and recovery finishes it forward.
   */
  rollback?: (err: unknown) => Promise<void>;
}

/**
 * Runs a multi-step operation under a durable intent (docs/runner-design.md): the intent is on
 * disk before the first side effect, and is cleared only when the operation (or its rollback)
 * has finished. A crash in between leaves the intent pending, and recovery re-runs the operation.
 */
export async function withIntent<T>(
  ctx: RunnerContext,
  input: IntentInput,
  run: (intent: Intent) => Promise<T>,
  options: IntentOptions = {},
): Promise<T> {
  const intent = await ctx.journal.record(input);
  let result: T;
  try {
    result = await run(intent);
  } catch (err) {
    if (options.rollback) {
      try {
        await options.rollback(err);
        await ctx.journal.clear(intent);
      } catch (rollbackErr) {
        ctx.log.error(
          { err: rollbackErr, kind: input.kind, key: input.key },
          'rollback failed; the intent stays pending for recovery',
        );
      }
    }
    // Without a rollback the operation is finished forward: its intent stays pending and
    // recovery re-runs it (a delete that failed half-way is retried until the resource is gone).
    throw err;
  }
  await ctx.journal.clear(intent);
  return result;
}

/** Lock key of a resource: mutations of one realm's tree are serialised (see runner-design). */
export function realmLockKey(realm: string): string {
  return `realm/${realm}`;
}

export async function withRealmLock<T>(ctx: RunnerContext, realm: string, fn: () => Promise<T>): Promise<T> {
  const release = await ctx.locks.acquire(realmLockKey(realm));
  try {
    return await fn();
  } finally {
    release();
  }
}
