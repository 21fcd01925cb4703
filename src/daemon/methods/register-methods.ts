import type { MethodRegistry } from '../rpc/method-registry.js';
import type { MethodHandlers } from '../../protocol/method-types.js';

/** Registers every handler of the table under its method name on the daemon's registry. */
export function registerMethodHandlers(registry: MethodRegistry, handlers: MethodHandlers): MethodRegistry {
  for (const [name, handler] of Object.entries(handlers)) {
    if (handler === undefined) continue;
    registry.register(name, (args: unknown) => (handler as (a: unknown) => Promise<object>)(args));
  }
  return registry;
}
