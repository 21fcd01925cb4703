import type { Controller } from '../../controller/index.js';
import type { ObserveMethodTypes } from '../../protocol/method-types.js';

type Top = ObserveMethodTypes['TopCells'];

/** `TopCells` (docs/top.md): one sample of every cell in scope; the client computes rates. */
export function topHandlers(controller: Controller): { TopCells: (a: Top['args']) => Promise<Top['reply']> } {
  return {
    TopCells: async (args) => {
      const pick = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
      const cells = await controller.cellUsages({
        realm: pick(args.RealmName),
        space: pick(args.SpaceName),
        stack: pick(args.StackName),
      });
      return { Cells: cells, SampledAt: Date.now() };
    },
  };
}
