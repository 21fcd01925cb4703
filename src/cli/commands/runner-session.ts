import type { Runner } from '../../runner/runner.js';
import type { CliContext } from '../context.js';

/**
 * Opens the runner in this process for the always-in-process verbs (image, init), runs `fn`
 * and closes it whatever happens.
 */
export async function withRunner<T>(ctx: CliContext, fn: (runner: Runner) => Promise<T>): Promise<T> {
  const { Runner } = await import('../../runner/runner.js');
  const runner = await Runner.open(ctx.hostConfig(), { log: await ctx.logger() });
  try {
    return await fn(runner);
  } finally {
    runner.close();
  }
}
