import type { Controller } from '../../controller/index.js';
import { cellHandlers } from './cell-methods.js';
import { documentHandlers } from './document-methods.js';
import { imageHandlers } from './image-methods.js';
import { pingHandler } from './ping-methods.js';
import { registryCredentialHandlers } from './registry-credential-methods.js';
import { scopeHandlers } from './scope-methods.js';
import { scopedHandlers } from './scoped-methods.js';
import { topHandlers } from './top-methods.js';
import type { MethodHandlers } from '../../protocol/method-types.js';

/**
 * The kukeonv1 handler table over a controller: the daemon registers it on its socket, and the
 * CLI's in-process mode calls the very same functions (see `callHandler`). Each handler resolves
 * with the reply fields besides `Err` and throws a KukeonError on failure.
 */
export function createMethodHandlers(controller: Controller): MethodHandlers {
  return {
    Ping: pingHandler(),
    ...scopeHandlers(controller),
    ...scopedHandlers(controller),
    ...documentHandlers(controller),
    ...imageHandlers(controller),
    ...registryCredentialHandlers(controller),
    ...cellHandlers(controller),
    ...topHandlers(controller),
  };
}
