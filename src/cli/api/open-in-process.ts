import type { HostConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { InProcessParts } from './in-process-api.js';

// Module paths kept in variables while the controller and its handler table are being written:
// the CLI builds before they land and reports a clear error instead of failing to compile.
const controllerModule = '../../controller/index.js';
const methodsModule = '../../daemon/methods/index.js';

type Loaded = Record<string, unknown>;

async function load(path: string): Promise<Loaded> {
  return (await import(path)) as Loaded;
}

/**
 * Runner → controller → handler table, all in this process (spec 03 §2.6). The controller is
 * built with whichever of `createController(runner, opts)` / `new Controller(runner, opts)` its
 * module offers.
 */
export async function openInProcess(config: HostConfig, log: Logger): Promise<InProcessParts> {
  const { Runner } = await import('../../runner/runner.js');
  const runner = await Runner.open(config, { log });
  try {
    const controllerMod = await load(controllerModule);
    const methodsMod = await load(methodsModule);
    const make = controllerMod.createController as ((r: unknown, o: unknown) => unknown) | undefined;
    const Ctor = controllerMod.Controller as (new (r: unknown, o: unknown) => unknown) | undefined;
    const controller = make ? await make(runner, { log }) : Ctor ? new Ctor(runner, { log }) : undefined;
    const createMethodHandlers = methodsMod.createMethodHandlers as (
      c: unknown,
    ) => InProcessParts['handlers'];
    return {
      handlers: createMethodHandlers(controller),
      close: () => runner.close(),
    };
  } catch (err) {
    runner.close();
    throw err;
  }
}
