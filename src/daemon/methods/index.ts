/** The kukeonv1 method handlers: one table for the daemon socket and the CLI's in-process mode. */
export { createMethodHandlers } from './create-method-handlers.js';
export { registerMethodHandlers } from './register-methods.js';
export { callHandler, METHOD_NOT_AVAILABLE } from './call-handler.js';
export type * from '../../protocol/method-types.js';
