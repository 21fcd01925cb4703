import type { HostConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { InProcessParts } from './in-process-api.js';

/**
 * Runner → controller → handler table, all in this process: exactly the code
 * the daemon runs behind its socket. Loaded lazily: only in-process commands pay for it.
 */
export async function openInProcess(config: HostConfig, log: Logger): Promise<InProcessParts> {
  // One after the other: concurrent dynamic imports of overlapping module graphs with cycles
  // can fail in Node 20's loader ("request for … is not in cache").
  const { Runner } = await import('../../runner/runner.js');
  const { Controller } = await import('../../controller/index.js');
  const { runnerCellPort } = await import('../../controller/runner-cell-port.js');
  const { createMethodHandlers } = await import('../../daemon/methods/index.js');
  const runner = await Runner.open(config, { log });
  // Without a daemon nobody else finishes what a killed command left half-done: do it first,
  // as kukeond does at start (intents of operations still running elsewhere are left alone).
  await runner.recoverIntents();
  // Same wiring as `kukeond serve`: cell methods exist when the runner has cells.
  const controller = Controller.forRunner(runner, { log, cells: runnerCellPort(runner) });
  return { handlers: createMethodHandlers(controller), close: () => runner.close() };
}
