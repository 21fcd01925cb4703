import type { PullBoard } from '../events/pull-board.js';
import { MAX_WAIT_MS } from './event-methods.js';
import { argStringList } from './wire-args.js';
import type { ObserveMethodTypes } from '../../protocol/method-types.js';

/**
 * `ListPulls` over the daemon's pull board (docs/images.md, "Progress of pulls"). With `Realms`,
 * only those realms' pulls are listed, and a long poll waits for a change in one of them (another
 * realm's progress does not answer it).
 */
export function pullHandlers(board: PullBoard): {
  ListPulls: (
    a: ObserveMethodTypes['ListPulls']['args'],
  ) => Promise<ObserveMethodTypes['ListPulls']['reply']>;
} {
  return {
    ListPulls: async (args) => {
      const after = typeof args.AfterVersion === 'number' ? args.AfterVersion : 0;
      const realms = Array.isArray(args.Realms) ? argStringList(args, 'Realms') : undefined;
      const deadline = Date.now() + Math.min(Math.max(args.WaitMs ?? 0, 0), MAX_WAIT_MS);
      for (;;) {
        const pulls = board.list(after, realms);
        const left = deadline - Date.now();
        if (pulls.length > 0 || left <= 0) return { Pulls: pulls, Version: board.lastVersion };
        await board.wait(board.lastVersion, left);
      }
    },
  };
}
