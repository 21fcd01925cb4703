import type { PullBoard } from '../events/pull-board.js';
import { MAX_WAIT_MS } from './event-methods.js';
import type { ObserveMethodTypes } from '../../protocol/method-types.js';

/** `ListPulls` over the daemon's pull board (docs/images.md, "Progress of implicit pulls"). */
export function pullHandlers(board: PullBoard): {
  ListPulls: (
    a: ObserveMethodTypes['ListPulls']['args'],
  ) => Promise<ObserveMethodTypes['ListPulls']['reply']>;
} {
  return {
    ListPulls: async (args) => {
      const after = typeof args.AfterVersion === 'number' ? args.AfterVersion : 0;
      if ((args.WaitMs ?? 0) > 0) await board.wait(after, Math.min(args.WaitMs ?? 0, MAX_WAIT_MS));
      return { Pulls: board.list(after), Version: board.lastVersion };
    },
  };
}
