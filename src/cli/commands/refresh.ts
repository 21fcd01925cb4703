import type { CliContext } from '../context.js';
import { renderRefresh } from '../output/refresh-report.js';

/** `kuke refresh`: errors are listed, never change the exit code. */
export async function refresh(ctx: CliContext): Promise<void> {
  const reply = await ctx.api('promotable').call('RefreshAll', {});
  ctx.out.write(renderRefresh({ ...reply.Result }));
}
